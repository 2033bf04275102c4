(import sys)
(for [line sys.stdin]
  (.write sys.stdout line))
