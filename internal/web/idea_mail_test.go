package web_test

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"inspraak/internal/notify/mailtest"
)

var confirmURL = regexp.MustCompile(`https?://[^\s"<>]+/mijn-inspraak/email/bevestigen\?token=[A-Za-z0-9._~%-]+`)

// mailText returns a received mail's decoded subject and plain-text part.
func mailText(t *testing.T, raw []byte) (subject, text string) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	subject, err = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			t.Fatalf("no text part: %v", err)
		}
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
			b, _ := io.ReadAll(p)
			return subject, string(b)
		}
	}
}

// The journey, end to end over HTTP and SMTP: a resident submits
// an idea and asks for mail, others support and comment, the author
// replies, an editor gives a status with a response — and the author sees
// it on "Mijn inspraak" and receives the mail; the commenter hears of the
// reply in the app.
func TestIdeaJourneyEndsInTheAuthorsMailbox(t *testing.T) {
	t.Parallel() // each test has its own site and database
	smtp := mailtest.New(t)
	s := newSite(t, map[string]string{"INSPRAAK_SMTP_URL": "smtp://" + smtp.Addr, "INSPRAAK_MAIL_FROM": "Gemeente Voorbeeld <inspraak@voorbeeld.nl>"})
	ctx := context.Background()
	bd := newBoard(t, s, nil)

	author := resident(t, s, testBSN, "Indiener")
	const addr = "indiener@voorbeeld.nl"
	wantStatus(t, author.post("/mijn-inspraak/meldingen", url.Values{"actie": {"adres"}, "email": {addr}, "toestemming": {"ja"}}), 303)
	if _, err := s.App.Mailer.SendDue(ctx); err != nil {
		t.Fatal(err)
	}
	got := smtp.Messages()
	if len(got) != 1 || got[0].To[0] != addr {
		t.Fatalf("confirmation mail: %+v", got)
	}
	_, body := mailText(t, got[0].Data)
	link := confirmURL.FindString(strings.ReplaceAll(body, "=\r\n", ""))
	if link == "" {
		t.Fatalf("no confirmation link in:\n%s", body)
	}
	wantStatus(t, author.get(link), 303)

	sent := author.post(board+"/ideeen", url.Values{"titel": {"Een zebrapad bij de bibliotheek"},
		"beschrijving": {"Veel kinderen steken hier over op weg naar school."}, "thema": {itoa(bd.Themes[0].ID)}})
	ideaPath := sent.Header.Get("Location")
	id := ideaPath[strings.LastIndex(ideaPath, "/")+1:]

	neighbour := resident(t, s, supporterBSN, "Buurvrouw")
	wantStatus(t, neighbour.follow(neighbour.post(ideaPath+"/steun", url.Values{"steun": {"ja"}})), 200)
	c := neighbour.post(ideaPath+"/reacties", url.Values{"reactie": {"Heel goed, het is daar echt druk."}})
	top := strings.TrimPrefix(c.Header.Get("Location"), ideaPath+"#reactie-")
	wantStatus(t, author.follow(author.post(ideaPath+"/reacties", url.Values{"reactie": {"Dank u!"}, "antwoord_op": {top}})), 200)
	inbox := neighbour.get("/mijn-inspraak/meldingen")
	wantContains(t, inbox, "1 nieuw bericht", "Iemand heeft gereageerd op uw reactie bij het idee &#39;Een zebrapad bij de bibliotheek&#39;.")

	editor := newBrowser(t, s)
	editor.loginStaff("Redacteur", "inspraak-redacteuren")
	admin := "/beheer/projecten/" + itoa(bd.Instrument.ProjectID) + "/ideeenborden/" + itoa(bd.InstrumentID) + "/ideeen/" + id
	if r := editor.post(admin+"/status", url.Values{"status": {"accepted"}, "reactie": {"Het zebrapad komt er in maart."}}); r.StatusCode != 303 {
		t.Fatalf("status: %d", r.StatusCode)
	}

	my := author.get("/mijn-inspraak")
	wantContains(t, my, "Een zebrapad bij de bibliotheek", "Aangenomen", "Het zebrapad komt er in maart.", "1 keer gesteund", `href="/mijn-inspraak/meldingen"`, "1 nieuw")
	wantContains(t, author.get("/mijn-inspraak/meldingen"), "Uw idee &#39;Een zebrapad bij de bibliotheek&#39; is aangenomen.")

	// The mail goes out from the outbox, not during the request, and once.
	if n := len(smtp.Messages()); n != 1 {
		t.Fatalf("%d mails before the sender ran, want only the confirmation", n)
	}
	for range 2 {
		if _, err := s.App.Mailer.SendDue(ctx); err != nil {
			t.Fatal(err)
		}
	}
	got = smtp.Messages()
	if len(got) != 2 {
		t.Fatalf("%d mails, want the confirmation and the status mail", len(got))
	}
	subject, text := mailText(t, got[1].Data)
	if got[1].To[0] != addr || !strings.Contains(subject, "Een zebrapad bij de bibliotheek") || !strings.Contains(subject, "aangenomen") {
		t.Fatalf("status mail to %v, subject %q", got[1].To, subject)
	}
	if !strings.Contains(strings.ReplaceAll(text, "=\r\n", ""), "/ideeen/"+id) {
		t.Fatalf("status mail does not link to the idea:\n%s", text)
	}
}
