module Main where

import Data.List (sortBy, group, sort)
import Data.Char (toUpper)

data Shape = Circle Double | Rect Double Double
  deriving Show

area :: Shape -> Double
area (Circle r) = pi * r * r
area (Rect w h) = w * h

wordFreq :: String -> [(String, Int)]
wordFreq = map (\ws -> (head ws, length ws)) . group . sort . words

quicksort :: Ord a => [a] -> [a]
quicksort [] = []
quicksort (p:xs) = quicksort [x | x <- xs, x < p] ++ [p] ++ quicksort [x | x <- xs, x >= p]

main :: IO ()
main = do
  mapM_ (\s -> putStrLn (show s ++ ": " ++ show (round (area s) :: Int))) [Circle 1, Rect 2 3]
  print (quicksort [5, 3, 8, 1, 9, 2 :: Int])
  mapM_ print (wordFreq "a rose is a rose is a rose")
  putStrLn (map toUpper "hugs")
  print (take 8 fibs)
  where fibs = 0 : 1 : zipWith (+) fibs (tail fibs) :: [Integer]
