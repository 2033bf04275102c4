.greeting,
"sum 1..10 = \(.numbers | add)"
