program main
  implicit none
  integer :: i
  integer, dimension(5) :: a = (/ 5, 3, 8, 1, 4 /)
  real :: avg

  avg = real(sum(a)) / size(a)
  write(*, '(A, F6.2)') 'Average: ', avg
  write(*, '(A, I0)') 'Max: ', maxval(a)

  do i = 1, size(a)
     write(*, '(I3, I6)') i, square(a(i))
  end do
  print *, 'Done'

contains

  integer function square(x)
    integer, intent(in) :: x
    square = x * x
  end function square

end program main
