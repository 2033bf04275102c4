program main
  implicit none
  error stop 'boom'
end program main
