package main

import (
	"bufio"
	"fmt"
	"os"
)

func main() {
	scanner := bufio.NewScanner(os.Stdin)
	scanner.Split(bufio.ScanWords)
	count, letters := 0, 0
	for scanner.Scan() {
		count++
		letters += len(scanner.Text())
	}
	fmt.Printf("%d words, %d letters\n", count, letters)
	fmt.Println("OK")
}
