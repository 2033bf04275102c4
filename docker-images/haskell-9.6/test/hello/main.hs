main :: IO ()
main = do
  putStrLn "hello, world"
  print (sum [1 .. 10 :: Int])
