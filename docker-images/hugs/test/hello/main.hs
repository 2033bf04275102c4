main :: IO ()
main = do
  putStrLn "hello, world"
  putStrLn ("sum 1..10 = " ++ show (sum [1 .. 10 :: Int]))
