// You can edit this code!
// Click here and start typing.

package main

import (
	"fmt"
	"sort"
	"strings"
)

func wordCount(s string) map[string]int {
	counts := make(map[string]int)
	for _, w := range strings.Fields(s) {
		counts[strings.ToLower(w)]++
	}
	return counts
}

func main() {
	counts := wordCount("the cat and The hat and the bat")
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Printf("%-4s %d\n", k, counts[k])
	}
	fmt.Println("unique words:", len(keys))
}
