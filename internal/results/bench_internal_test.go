package results

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"inspraak/internal/consultation"
)

// A results page split by wijk: 8 choice questions, 10 wijken and
// "unknown", 600 respondents, some wijken and options small.
func BenchmarkBreakdownPage(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	keys := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", ""}
	weights := []int{30, 25, 20, 10, 5, 3, 2, 1, 1, 1, 2}
	people := 600
	group := make([]int, people)
	row := make([]int64, len(keys))
	for i := range group {
		x := rng.IntN(100)
		for g, w := range weights {
			if x < w {
				group[i] = g
				break
			}
			x -= w
		}
		row[group[i]]++
	}
	var qs []Question
	per := map[int64][]breakdownRow{}
	for n := range 8 {
		q := Question{Question: consultation.Question{ID: int64(n + 1), Kind: consultation.Single}}
		for j := range 5 {
			q.Options = append(q.Options, Option{ID: int64(10*n + j), Label: fmt.Sprint(j)})
		}
		count := map[[2]int]int64{}
		for i := range people {
			j := []int{0, 0, 0, 1, 1, 2, 2, 3, 4}[rng.IntN(9)]
			if rng.IntN(50) == 0 {
				j = 4
			}
			q.Options[j].Count++
			q.Base++
			count[[2]int{group[i], j}]++
		}
		for k, c := range count {
			per[q.ID] = append(per[q.ID], breakdownRow{QuestionID: q.ID, Grp: keys[k[0]], OptionID: q.Options[k[1]].ID, N: c})
		}
		qs = append(qs, q)
	}
	b.ResetTimer()
	for range b.N {
		g := &groups{keys: keys, row: row, label: map[string]string{}, pop: map[string]float64{}, shown: true, k: 5}
		for _, n := range row {
			g.total += n
		}
		if err := g.protect(); err != nil {
			b.Fatal(err)
		}
		if _, err := breakdownsTogether(qs, ByWijk, 5, per, g); err != nil {
			b.Fatal(err)
		}
	}
}
