def word_lengths(text):
    return {word: len(word) for word in text.split()}


def main():
    n = int(input())
    nums = list(map(int, input().split()))
    squares = [x * x for x in nums[:n]]
    print(f"Squares: {squares}")
    evens = [x for x in squares if x % 2 == 0]
    print(f"Even squares: {evens}, total = {sum(evens)}")

    words = ["banana", "Apple", "cherry", "date"]
    print("Sorted:", sorted(words, key=str.lower))
    for word, length in word_lengths("the quick brown fox").items():
        print(f"{word:>6} -> {length}")


if __name__ == "__main__":
    main()
