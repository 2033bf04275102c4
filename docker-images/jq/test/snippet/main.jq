# Names of users over 30, with their role count, sorted by age
.users
| map(select(.age > 30))
| sort_by(.age)
| .[]
| "\(.name | ascii_upcase): \(.roles | length) role(s), age \(.age)"
