package results

import "strings"

// What the attack harness (package results_test) needs from inside.

// BreakdownRow is one count of the breakdown query.
type BreakdownRow = breakdownRow

// BreakdownsTogether protects the breakdown tables of a page.
var BreakdownsTogether = breakdownsTogether

// NewGroups protects respondent counts per group (lower-cased keys, ""
// last) as the representativeness table does; shown says whether the page
// shows them.
func NewGroups(keys []string, row []int64, shown bool, k int) (*groups, error) {
	g := &groups{keys: keys, row: row, label: map[string]string{}, pop: map[string]float64{}, shown: shown, k: k}
	for _, key := range keys {
		g.label[key] = strings.ToUpper(key)
	}
	for _, n := range row {
		g.total += n
	}
	return g, g.protect()
}

// RepShown is what the representativeness table shows per group, or nil
// when the page does not show it.
func RepShown(g *groups) []string {
	if !g.shown || g.withheld {
		return nil
	}
	out := make([]string, len(g.keys))
	for i, key := range g.keys {
		out[i] = itoa(g.row[i])
		if g.hidden(key) {
			out[i] = "x"
		}
	}
	return out
}

// GroupKeys are the groups' keys.
func GroupKeys(g *groups) []string { return g.keys }

// GroupTotal is the number of respondents.
func GroupTotal(g *groups) int64 { return g.total }
