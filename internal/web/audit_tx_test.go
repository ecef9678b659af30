package web_test

import (
	"net/url"
	"strings"
	"testing"

	"inspraak/internal/instrument"
	"inspraak/internal/project"
)

// When the audit log cannot be written, a staff action is not made and
// the staff member sees the error page; an export is not sent.
func TestNoStaffActionWithoutItsAuditRecord(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	var p project.Project
	if err := s.App.DB.Where("status = ?", project.StatusPublished).Order("id").Take(&p).Error; err != nil {
		t.Fatal(err)
	}
	var in instrument.Instrument
	if err := s.App.DB.Where("kind = ?", instrument.KindConsultation).Order("id").Take(&in).Error; err != nil {
		t.Fatal(err)
	}
	ed, analyst := newBrowser(t, s), newBrowser(t, s)
	ed.loginStaff("Eddy Tor", "inspraak-redacteuren")
	analyst.loginStaff("Ana List", "inspraak-analisten")

	if err := s.App.DB.Exec("ALTER TABLE audit_log RENAME TO audit_log_away").Error; err != nil {
		t.Fatal(err)
	}
	moved := ed.post("/beheer/projecten/"+itoa(p.ID)+"/status", url.Values{"naar": {"closed"}})
	wantStatus(t, moved, 500)
	var now project.Project
	if err := s.App.DB.Where("id = ?", p.ID).Take(&now).Error; err != nil {
		t.Fatal(err)
	}
	if now.Status != project.StatusPublished {
		t.Errorf("project %s without its audit record", now.Status)
	}

	dl := analyst.get("/beheer/resultaten/" + itoa(in.ID) + "/export?formaat=csv")
	wantStatus(t, dl, 500)
	if cd := dl.Header.Get("Content-Disposition"); cd != "" || strings.Contains(dl.Body, "respondent") ||
		!strings.HasPrefix(dl.Header.Get("Content-Type"), "text/html") {
		t.Errorf("export sent without its audit record: %q, %q", cd, dl.Header.Get("Content-Type"))
	}
	pdf := analyst.get("/beheer/resultaten/" + itoa(in.ID) + "/export?formaat=pdf")
	wantStatus(t, pdf, 500)
	if strings.HasPrefix(pdf.Body, "%PDF") {
		t.Error("report sent without its audit record")
	}
}
