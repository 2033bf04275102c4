import qualified Data.Map as Map
import Data.Char (toUpper)

-- | Count how often each word appears
wordFreq :: String -> Map.Map String Int
wordFreq = Map.fromListWith (+) . map (\w -> (w, 1)) . words

fibs :: [Integer]
fibs = 0 : 1 : zipWith (+) fibs (tail fibs)

data Shape = Circle Double | Rect Double Double
  deriving (Show)

area :: Shape -> Double
area (Circle r) = pi * r * r
area (Rect w h) = w * h

main :: IO ()
main = do
  let text = "the cat saw the other cat"
  mapM_ (\(w, n) -> putStrLn (w ++ ": " ++ show n)) (Map.toList (wordFreq text))
  print (take 10 fibs)
  print [x * x | x <- [1 .. 10], even x]
  print (Rect 2 3, area (Rect 2 3))
  putStrLn $ map toUpper "done"
