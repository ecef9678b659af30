// Package responsenote owns the response note: the municipality's answer
// to what people said in a questionnaire (per code of its open answers)
// or on an idea board (per idea), written by analysts in sections and
// published. Publishing tells everyone whose input a new section is about,
// in the publishing transaction; every change is on the audit record in
// the transaction that makes it.
package responsenote

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"inspraak/internal/apperror"
	"inspraak/internal/audit"
	"inspraak/internal/identity"
	"inspraak/internal/notify"
	"inspraak/internal/results"
	"inspraak/internal/store"
)

// Notifier is what a note needs of package notify: telling one
// participant, inside the publishing transaction.
type Notifier interface {
	Notify(ctx context.Context, tx *gorm.DB, participantID int64, m notify.Message) error
}

// Service reads and writes response notes.
type Service struct {
	db     *store.DB
	audit  *audit.Log
	notify Notifier
}

// NewService returns a note service; audit records every change (nil:
// none, for tests), n tells people of a publication (nil: nobody).
func NewService(db *store.DB, log *audit.Log, n Notifier) *Service {
	return &Service{db: db, audit: log, notify: n}
}

// Models lists the row structs this package owns.
func Models() []any { return []any{&Note{}, &Section{}} }

// record writes an analyst's change to the audit log inside tx.
func (s *Service) record(tx *gorm.DB, actor *identity.StaffMember, action string, instrumentID int64, detail map[string]any) error {
	if s.audit == nil {
		return nil
	}
	a := ""
	if actor != nil {
		a = actor.Actor()
	}
	return s.audit.RecordTx(tx, audit.Event{ActorKind: audit.ActorStaff, Actor: a, Action: action,
		Target: "instrument:" + strconv.FormatInt(instrumentID, 10), Detail: detail})
}

// Note is a row of response_notes: the municipality's answer to what
// people said in a questionnaire or on an idea board, published once
// written.
type Note struct {
	InstrumentID int64 `gorm:"primaryKey;autoIncrement:false"`
	Intro        string
	PublishedAt  *time.Time
	// PublishedIntro is the introduction as last published: what the site
	// shows while the analyst works on Intro.
	PublishedIntro string    `gorm:"not null"`
	UpdatedAt      time.Time `gorm:"not null"`

	Sections []Section `gorm:"-"`
}

// TableName fixes the table name.
func (Note) TableName() string { return "response_notes" }

// Section is a row of response_note_sections. A section with a code (of
// a questionnaire's open answers) is about the answers that carry it; one
// with an idea (of an idea board) is about that idea: its author, the
// people who support it and those who commented on it. They see the
// section on "Mijn inspraak" and are told of it once (AnnouncedAt). A
// section with neither is about everything.
type Section struct {
	ID           int64  `gorm:"primaryKey"`
	InstrumentID int64  `gorm:"not null"`
	Position     int    `gorm:"not null"`
	Title        string `gorm:"not null"`
	Body         string `gorm:"not null"`
	CodeID       *int64
	IdeaID       *int64
	AnnouncedAt  *time.Time
	// The texts and place as last published (nil: never published): what
	// the site, the PDF and Mijn inspraak show.
	PublishedTitle    *string
	PublishedBody     *string
	PublishedPosition *int
	PublishedCodeID   *int64
	PublishedIdeaID   *int64

	CodeName  string `gorm:"-"`
	IdeaTitle string `gorm:"-"`
	// PublishedIdeaTitle names the idea the section was published about.
	PublishedIdeaTitle string `gorm:"-"`
}

// TableName fixes the table name.
func (Section) TableName() string { return "response_note_sections" }

// Limits of a note.
const (
	MaxNoteIntro    = 10000
	MaxSectionTitle = 160
	MaxSectionBody  = 10000
	MaxSections     = 50
)

// Note returns a consultation's response note (an empty, unsaved one when
// none was written), with its sections in order.
func (s *Service) Note(ctx context.Context, instrumentID int64) (*Note, error) {
	db := s.db.WithContext(ctx)
	n := Note{InstrumentID: instrumentID}
	if err := db.Where("instrument_id = ?", instrumentID).Take(&n).Error; err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, err
	}
	if err := db.Where("instrument_id = ?", instrumentID).Order("position, id").Find(&n.Sections).Error; err != nil {
		return nil, err
	}
	names := map[int64]string{}
	var codes []results.Code
	if err := db.Where("instrument_id = ?", instrumentID).Find(&codes).Error; err != nil {
		return nil, err
	}
	for _, c := range codes {
		names[c.ID] = c.Name
	}
	ideas, err := s.NoteIdeas(ctx, instrumentID)
	if err != nil {
		return nil, err
	}
	titles := map[int64]string{}
	for _, d := range ideas {
		titles[d.ID] = d.Title
	}
	for i, sec := range n.Sections {
		if sec.CodeID != nil {
			n.Sections[i].CodeName = names[*sec.CodeID]
		}
		if sec.IdeaID != nil {
			n.Sections[i].IdeaTitle = titles[*sec.IdeaID]
		}
		if sec.PublishedIdeaID != nil {
			n.Sections[i].PublishedIdeaTitle = titles[*sec.PublishedIdeaID]
		}
	}
	return &n, nil
}

// NoteIdea is an idea a section can be about.
type NoteIdea struct {
	ID           int64
	Title        string
	SupportCount int64
}

// NoteIdeas lists the ideas of a board that are on the site (approved by
// moderation, not withdrawn), most supported first: what sections can be
// about.
func (s *Service) NoteIdeas(ctx context.Context, instrumentID int64) ([]NoteIdea, error) {
	var out []NoteIdea
	err := s.db.WithContext(ctx).Raw(`SELECT id, title, support_count FROM ideas
WHERE instrument_id = ? AND moderation = 'approved' AND status <> 'withdrawn' ORDER BY support_count DESC, id`, instrumentID).Scan(&out).Error
	return out, err
}

func cleanText(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }

// SaveIntro stores the note's introduction.
func (s *Service) SaveIntro(ctx context.Context, actor *identity.StaffMember, instrumentID int64, intro string) error {
	intro = cleanText(intro)
	if utf8.RuneCountInString(intro) > MaxNoteIntro || strings.ContainsRune(intro, 0) {
		return apperror.Invalid.WithFields(map[string]string{"inleiding": "results.error.too_long"})
	}
	return s.db.WithTx(ctx, func(tx *gorm.DB) error {
		if err := s.saveNote(tx, instrumentID, map[string]any{"intro": intro}); err != nil {
			return err
		}
		return s.record(tx, actor, "results.note.intro", instrumentID, nil)
	})
}

func (s *Service) saveNote(tx *gorm.DB, instrumentID int64, up map[string]any) error {
	now := time.Now().UTC()
	up["updated_at"] = now
	res := tx.Model(&Note{}).Where("instrument_id = ?", instrumentID).Updates(up)
	if res.Error != nil || res.RowsAffected > 0 {
		return res.Error
	}
	n := Note{InstrumentID: instrumentID, UpdatedAt: now}
	if v, ok := up["intro"].(string); ok {
		n.Intro = v
	}
	return tx.Create(&n).Error
}

// SectionDraft is what an analyst writes for a section.
type SectionDraft struct {
	Title    string
	Body     string
	CodeID   int64 // a questionnaire's code; 0: none
	IdeaID   int64 // an idea board's idea; 0: none (neither: about everything)
	Position int   // 0: at the end
}

func (d *SectionDraft) validate() error {
	d.Title, d.Body = cleanText(d.Title), cleanText(d.Body)
	f := map[string]string{}
	switch n := utf8.RuneCountInString(d.Title); {
	case n == 0:
		f["titel"] = "results.error.section_title_required"
	case n > MaxSectionTitle || strings.ContainsRune(d.Title, 0):
		f["titel"] = "results.error.too_long"
	}
	switch n := utf8.RuneCountInString(d.Body); {
	case n == 0:
		f["tekst"] = "results.error.section_body_required"
	case n > MaxSectionBody || strings.ContainsRune(d.Body, 0):
		f["tekst"] = "results.error.too_long"
	}
	if d.CodeID > 0 && d.IdeaID > 0 {
		f["idee"] = "results.error.code_and_idea"
	}
	if len(f) > 0 {
		return apperror.Invalid.WithFields(f)
	}
	return nil
}

// SaveSection adds a section (id 0) or changes one.
func (s *Service) SaveSection(ctx context.Context, actor *identity.StaffMember, instrumentID, id int64, d SectionDraft) error {
	if err := d.validate(); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *gorm.DB) error {
		if err := s.saveSection(tx, instrumentID, id, d); err != nil {
			return err
		}
		return s.record(tx, actor, "results.note.section", instrumentID, map[string]any{"section": id, "title": d.Title})
	})
}

func (s *Service) saveSection(tx *gorm.DB, instrumentID, id int64, d SectionDraft) error {
	var codeID *int64
	if d.CodeID > 0 {
		var n int64
		if err := tx.Model(&results.Code{}).Where("id = ? AND instrument_id = ?", d.CodeID, instrumentID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return apperror.Invalid.WithFields(map[string]string{"code": "results.error.code_unknown"})
		}
		codeID = &d.CodeID
	}
	var ideaID *int64
	if d.IdeaID > 0 {
		var n int64
		if err := tx.Table("ideas").Where("id = ? AND instrument_id = ? AND moderation = 'approved' AND status <> 'withdrawn'", d.IdeaID, instrumentID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return apperror.Invalid.WithFields(map[string]string{"idee": "results.error.idea_unknown"})
		}
		ideaID = &d.IdeaID
	}
	if err := s.saveNote(tx, instrumentID, map[string]any{}); err != nil {
		return err
	}
	if id == 0 {
		var count int64
		if err := tx.Model(&Section{}).Where("instrument_id = ?", instrumentID).Count(&count).Error; err != nil {
			return err
		}
		if count >= MaxSections {
			return apperror.Invalid.WithFields(map[string]string{"titel": "results.error.too_many_sections"})
		}
		var last int
		if err := tx.Model(&Section{}).Where("instrument_id = ?", instrumentID).Select("COALESCE(MAX(position), 0)").Scan(&last).Error; err != nil {
			return err
		}
		return tx.Create(&Section{InstrumentID: instrumentID, Position: last + 1, Title: d.Title, Body: d.Body, CodeID: codeID, IdeaID: ideaID}).Error
	}
	up := map[string]any{"title": d.Title, "body": d.Body, "code_id": codeID, "idea_id": ideaID}
	if d.Position > 0 {
		up["position"] = d.Position
	}
	// About other people now: they are told at the next publication.
	var was Section
	if err := tx.Where("id = ? AND instrument_id = ?", id, instrumentID).Take(&was).Error; err == nil &&
		(!sameID(was.CodeID, codeID) || !sameID(was.IdeaID, ideaID)) {
		up["announced_at"] = nil
	}
	res := tx.Model(&Section{}).Where("id = ? AND instrument_id = ?", id, instrumentID).Updates(up)
	if res.Error == nil && res.RowsAffected == 0 {
		return apperror.New(apperror.NotFound, "")
	}
	return res.Error
}

// PublishNote publishes a note (again). The people the sections not
// announced yet are about hear of it, in the publishing transaction, once
// per person however many of those sections are about them: everyone
// the first time, and the people of a section added (or turned to other
// input) later when the note is published again.
func (s *Service) PublishNote(ctx context.Context, actor *identity.StaffMember, instrumentID int64, now time.Time) error {
	return s.db.WithTx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("instrument_id = ?", instrumentID).Take(&Note{}).Error; err != nil {
			return apperror.New(apperror.Conflict, "results.error.note_empty")
		}
		var sections []Section
		if err := tx.Where("instrument_id = ?", instrumentID).Order("position, id").Find(&sections).Error; err != nil {
			return err
		}
		if len(sections) == 0 {
			return apperror.New(apperror.Conflict, "results.error.note_empty")
		}
		if err := tx.Model(&Note{}).Where("instrument_id = ?", instrumentID).Updates(map[string]any{"published_at": now.UTC(), "updated_at": now.UTC(),
			"published_intro": gorm.Expr("intro")}).Error; err != nil {
			return err
		}
		if err := tx.Model(&Section{}).Where("instrument_id = ?", instrumentID).Updates(map[string]any{
			"published_title": gorm.Expr("title"), "published_body": gorm.Expr("body"), "published_position": gorm.Expr("position"),
			"published_code_id": gorm.Expr("code_id"), "published_idea_id": gorm.Expr("idea_id")}).Error; err != nil {
			return err
		}
		// One message per person, about the first new section that is
		// about them (the note shows them the rest).
		first := map[int64]Section{}
		var order []int64
		for _, sec := range sections {
			if sec.AnnouncedAt != nil {
				continue
			}
			people, err := sectionPeople(tx, sec)
			if err != nil {
				return err
			}
			for _, p := range people {
				if _, seen := first[p]; !seen {
					first[p] = sec
					order = append(order, p)
				}
			}
			if err := tx.Model(&Section{}).Where("id = ?", sec.ID).Update("announced_at", now.UTC()).Error; err != nil {
				return err
			}
		}
		if err := s.tell(ctx, tx, instrumentID, order, first); err != nil {
			return err
		}
		return s.record(tx, actor, "results.note.publish", instrumentID, nil)
	})
}

// tell sends each person one message about the first new section about
// their input, linking to it on the public note.
func (s *Service) tell(ctx context.Context, tx *gorm.DB, instrumentID int64, order []int64, first map[int64]Section) error {
	if s.notify == nil || len(order) == 0 {
		return nil
	}
	var in struct{ Title, Slug, ProjectSlug string }
	if err := tx.Table("instruments i").Select("i.title, i.slug, p.slug AS project_slug").
		Joins("JOIN projects p ON p.id = i.project_id").Where("i.id = ?", instrumentID).Take(&in).Error; err != nil {
		return err
	}
	link := "/projecten/" + in.ProjectSlug + "/" + in.Slug + "/reactienota"
	for _, p := range order {
		if err := s.notify.Notify(ctx, tx, p, notify.Message{Kind: notify.KindResults, Key: "notify.response_note",
			Params: []string{in.Title}, Link: link + "#sectie-" + strconv.FormatInt(first[p].ID, 10)}); err != nil {
			return err
		}
	}
	return nil
}

// sectionPeople are the participants whose input a section is about:
// the authors of the submitted answers with its code, or the author,
// supporters and commenters of its idea (each once).
func sectionPeople(tx *gorm.DB, sec Section) ([]int64, error) {
	var people []int64
	var err error
	switch {
	case sec.CodeID != nil:
		err = tx.Raw(`SELECT DISTINCT r.participant_id FROM answer_codings ac
JOIN responses r ON r.id = ac.response_id AND r.status = 'submitted' AND r.participant_id IS NOT NULL
WHERE ac.code_id = ? ORDER BY r.participant_id`, *sec.CodeID).Scan(&people).Error
	case sec.IdeaID != nil:
		err = tx.Raw(`SELECT author_id FROM ideas WHERE id = ? AND author_id IS NOT NULL
UNION SELECT participant_id FROM idea_supports WHERE idea_id = ? AND participant_id IS NOT NULL
UNION SELECT author_id FROM idea_comments WHERE idea_id = ? AND author_id IS NOT NULL
ORDER BY 1`, *sec.IdeaID, *sec.IdeaID, *sec.IdeaID).Scan(&people).Error
	}
	return people, err
}

// MySection is a section of a published note about a participant's input.
type MySection struct {
	Section
	InstrumentTitle string
	ProjectSlug     string
	InstrumentSlug  string
}

// SectionsFor returns the published sections about a participant's
// input: answers with the section's code, or the section's idea (theirs,
// supported or commented on): "dit hebben we met uw inbreng gedaan".
func (s *Service) SectionsFor(ctx context.Context, participantID int64) ([]MySection, error) {
	var out []MySection
	err := s.db.WithContext(ctx).Raw(`SELECT sec.id, sec.instrument_id, sec.published_position AS position, sec.published_title AS title, sec.published_body AS body,
  sec.published_code_id AS code_id, sec.published_idea_id AS idea_id, i.title AS instrument_title, p.slug AS project_slug, i.slug AS instrument_slug
FROM response_note_sections sec
JOIN response_notes n ON n.instrument_id = sec.instrument_id AND n.published_at IS NOT NULL
JOIN instruments i ON i.id = sec.instrument_id JOIN projects p ON p.id = i.project_id
WHERE sec.published_title IS NOT NULL AND (EXISTS (SELECT 1 FROM answer_codings ac JOIN responses r ON r.id = ac.response_id AND r.status = 'submitted'
    WHERE ac.code_id = sec.published_code_id AND r.participant_id = @p)
  OR EXISTS (SELECT 1 FROM ideas d WHERE d.id = sec.published_idea_id AND d.author_id = @p)
  OR EXISTS (SELECT 1 FROM idea_supports su WHERE su.idea_id = sec.published_idea_id AND su.participant_id = @p)
  OR EXISTS (SELECT 1 FROM idea_comments cm WHERE cm.idea_id = sec.published_idea_id AND cm.author_id = @p))
ORDER BY sec.instrument_id, sec.published_position`, sql.Named("p", participantID)).Scan(&out).Error
	return out, err
}

// ListedBoard is an idea board on the analysts' list.
type ListedBoard struct {
	InstrumentID  int64
	Title         string
	ProjectTitle  string
	Ideas         int64 // on the site
	NotePublished bool
}

// Boards returns every idea board with its number of ideas on the site
// and whether its response note is published, newest project first.
func (s *Service) Boards(ctx context.Context) ([]ListedBoard, error) {
	var out []ListedBoard
	err := s.db.WithContext(ctx).Raw(`SELECT i.id AS instrument_id, i.title, p.title AS project_title,
  (SELECT count(*) FROM ideas d WHERE d.instrument_id = i.id AND d.moderation = 'approved' AND d.status <> 'withdrawn') AS ideas,
  EXISTS (SELECT 1 FROM response_notes n WHERE n.instrument_id = i.id AND n.published_at IS NOT NULL) AS note_published
FROM instruments i JOIN projects p ON p.id = i.project_id
WHERE i.kind = 'idea_board' ORDER BY p.created_at DESC, i.position, i.id`).Scan(&out).Error
	return out, err
}

func sameID(a, b *int64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// DeleteSection removes a section and closes the gap in the order. Once
// the note is published, the section is gone from the site at once.
func (s *Service) DeleteSection(ctx context.Context, actor *identity.StaffMember, instrumentID, id int64) error {
	return s.db.WithTx(ctx, func(tx *gorm.DB) error {
		var sec Section
		if err := tx.Where("id = ? AND instrument_id = ?", id, instrumentID).Take(&sec).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return apperror.New(apperror.NotFound, "")
			}
			return err
		}
		if err := tx.Delete(&Section{}, id).Error; err != nil {
			return err
		}
		if err := tx.Model(&Section{}).Where("instrument_id = ? AND position > ?", instrumentID, sec.Position).
			Update("position", gorm.Expr("position - 1")).Error; err != nil {
			return err
		}
		return s.record(tx, actor, "results.note.section_delete", instrumentID, map[string]any{"section": id})
	})
}

// IdeaSections returns the published sections of a board's note that are
// about an idea, in the note's order: the idea page links to them.
func (s *Service) IdeaSections(ctx context.Context, ideaID int64) ([]Section, error) {
	var out []Section
	err := s.db.WithContext(ctx).Raw(`SELECT sec.id, sec.instrument_id, sec.published_position AS position, sec.published_title AS title,
  sec.published_body AS body, sec.published_code_id AS code_id, sec.published_idea_id AS idea_id FROM response_note_sections sec
JOIN response_notes n ON n.instrument_id = sec.instrument_id AND n.published_at IS NOT NULL
WHERE sec.published_idea_id = ? AND sec.published_title IS NOT NULL ORDER BY sec.published_position`, ideaID).Scan(&out).Error
	return out, err
}

// PublicNote is a note as the site shows it: the texts as last published,
// in their published order, without sections never published. Nil when
// the note is not published.
func (s *Service) PublicNote(ctx context.Context, instrumentID int64) (*Note, error) {
	n, err := s.Note(ctx, instrumentID)
	if err != nil || n.PublishedAt == nil {
		return nil, err
	}
	n.Intro = n.PublishedIntro
	var shown []Section
	for _, sec := range n.Sections {
		if sec.PublishedTitle == nil || sec.PublishedBody == nil || sec.PublishedPosition == nil {
			continue
		}
		sec.Title, sec.Body, sec.Position = *sec.PublishedTitle, *sec.PublishedBody, *sec.PublishedPosition
		sec.CodeID, sec.IdeaID, sec.CodeName, sec.IdeaTitle = sec.PublishedCodeID, sec.PublishedIdeaID, "", sec.PublishedIdeaTitle
		shown = append(shown, sec)
	}
	slices.SortStableFunc(shown, func(a, b Section) int { return a.Position - b.Position })
	n.Sections = shown
	return n, nil
}

// Changed says whether a section differs from what the site shows.
func (sec Section) Changed() bool {
	return sec.PublishedTitle == nil || *sec.PublishedTitle != sec.Title || sec.PublishedBody == nil || *sec.PublishedBody != sec.Body ||
		sec.PublishedPosition == nil || *sec.PublishedPosition != sec.Position ||
		!sameID(sec.PublishedCodeID, sec.CodeID) || !sameID(sec.PublishedIdeaID, sec.IdeaID)
}
