package web_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"inspraak/internal/instrument"
)

// An analyst reads the demo questionnaire's results (every figure with its
// base, charts with their tables) and downloads them; the download is in
// the audit log. Editors and moderators cannot read results.
func TestAnalystReadsAndDownloadsResults(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	var in instrument.Instrument
	if err := s.App.DB.Where("slug = ? AND kind = ?", "vragenlijst-schetsontwerp", instrument.KindConsultation).Take(&in).Error; err != nil {
		t.Fatal(err)
	}
	var submitted int64
	s.App.DB.Table("responses").Where("instrument_id = ? AND status = ?", in.ID, "submitted").Count(&submitted)
	page := "/beheer/resultaten/" + itoa(in.ID)

	analyst := newBrowser(t, s)
	analyst.loginStaff("Ana List", "inspraak-analisten")
	list := analyst.get("/beheer/resultaten")
	wantStatus(t, list, 200)
	wantContains(t, list, "Vragenlijst over het schetsontwerp", `href="`+page+`"`)
	r := analyst.get(page)
	wantStatus(t, r, 200)
	wantContains(t, r, "Resultaten: Vragenlijst over het schetsontwerp", "Ingestuurd", "mensen gaven antwoord",
		`role="img"`, "Dezelfde cijfers staan in de tabel hieronder.", "Antwoorden per keuze", "Mediaan",
		"Van openen tot insturen", "Ingestuurd per dag")

	split := analyst.get(page + "?uitsplitsen=wijk")
	wantStatus(t, split, 200)
	// The demo has a dozen responses: every wijk cell is small.
	wantContains(t, split, "Antwoorden per wijk", "&lt;5", "niet terug te rekenen")
	wantStatus(t, analyst.get(page+"?uitsplitsen=schoenmaat"), 400)

	dl := analyst.get(page + "/export?formaat=csv-nl")
	wantStatus(t, dl, 200)
	if cd := dl.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="antwoorden-`) {
		t.Fatalf("content disposition %q", cd)
	}
	rd := csv.NewReader(bytes.NewReader([]byte(strings.TrimPrefix(dl.Body, "\uFEFF"))))
	rd.Comma = ';'
	rows, err := rd.ReadAll()
	if err != nil || int64(len(rows)-1) != submitted || rows[0][0] != "respondent" {
		t.Fatalf("download: %d rows for %d submitted, %v", len(rows)-1, submitted, err)
	}
	var logged int64
	s.App.DB.Table("audit_log").Where("action = ? AND target = ?", "results.export", "instrument:"+itoa(in.ID)).Count(&logged)
	if logged != 1 {
		t.Fatalf("%d exports in the audit log", logged)
	}
	wantStatus(t, analyst.get(page+"/export?formaat=pdf"), 400)
	wantStatus(t, analyst.get("/beheer/resultaten/999999"), 404)

	for _, who := range [][2]string{{"Eddy Tor", "inspraak-redacteuren"}, {"Mo Derator", "inspraak-moderatoren"}} {
		b := newBrowser(t, s)
		b.loginStaff(who[0], who[1])
		wantStatus(t, b.get(page), 403)
		wantStatus(t, b.get(page+"/export?formaat=csv"), 403)
	}
}
