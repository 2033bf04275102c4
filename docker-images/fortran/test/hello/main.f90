program main
  implicit none
  integer :: i, total
  total = 0
  do i = 1, 10
    total = total + i
  end do
  print '(a)', 'hello, world'
  print '(i0)', total
end program main
