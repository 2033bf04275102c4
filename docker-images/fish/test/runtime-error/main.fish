function check_file
    if not test -e $argv[1]
        echo "no such file: $argv[1]" >&2
        return 1
    end
end
check_file /no/such/file; or exit 2
