package web_test

import (
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"inspraak/internal/testdb"
)

var (
	chartBar   = regexp.MustCompile(`<rect [^>]*class="inspraak-chart__bar"`)
	chartTitle = regexp.MustCompile(`(?s)<svg [^>]*role="img"[^>]*>\s*<title id="([^"]+)">([^<]+)</title>`)
	countCell  = regexp.MustCompile(`<th class="utrecht-table__header-cell" scope="row">([^<]+)</th>\s*<td class="utrecht-table__cell utrecht-table__cell--numeric">(\d+)</td>`)
)

// A poll's result is a bar per answer with its percentage, as the
// questionnaire results are, with a text alternative that names every bar
// and the table of votes under it.
func TestPollResultsAreBarsWithTheNumbers(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	b := newBrowser(t, s)
	b.loginDigiD(testBSN, loaMid, "/")
	ids := optionIDs(t, b.get(schoolPoll).Body)
	voted := b.follow(b.post(schoolPoll+"/stem", url.Values{"keuze": {ids[0]}}))
	wantStatus(t, voted, 200)
	if n := len(chartBar.FindAllString(voted.Body, -1)); n != 4 {
		t.Fatalf("%d bars, want one per answer (4):\n%s", n, voted.Body)
	}
	m := chartTitle.FindStringSubmatch(voted.Body)
	if m == nil {
		t.Fatalf("no chart with a text alternative")
	}
	alt := html.UnescapeString(m[2])
	cells := countCell.FindAllStringSubmatch(voted.Body, -1)
	if len(cells) != 4 {
		t.Fatalf("%d rows with votes in the table, want 4", len(cells))
	}
	total := 0
	for _, c := range cells {
		label := html.UnescapeString(c[1])
		if !strings.Contains(alt, label+": ") || !strings.Contains(alt, "%") {
			t.Errorf("the text alternative %q does not name %q with its percentage", alt, label)
		}
		n, err := strconv.Atoi(c[2])
		if err != nil {
			t.Fatal(err)
		}
		total += n
	}
	var all int64
	testdb.NoError(t, s.App.DB.Raw("SELECT COUNT(*) FROM ballots WHERE instrument_id = (SELECT id FROM instruments WHERE slug = 'welke-plek-eerst')").Scan(&all).Error)
	if int64(total) != all || all < 2 { // the demo's votes and this one
		t.Errorf("the table counts %d votes, want %d", total, all)
	}
	wantContains(t, voted, strconv.FormatInt(all, 10)+" stemmen")
}
