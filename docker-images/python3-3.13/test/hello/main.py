import sys

words = sys.stdin.read().split()
print(f"{len(words)} words, longest: {max(words, key=len)}")
print("OK")
