program main
  implicit none
  integer :: x
  x = 'text'
end program main
