safeHead :: [a] -> a
safeHead (x:_) = x
safeHead []    = error "safeHead: empty list"

main :: IO ()
main = do
  putStrLn "taking the head of an empty list"
  print (safeHead ([] :: [Int]))
