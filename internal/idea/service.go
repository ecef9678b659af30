package idea

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"inspraak/internal/apperror"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/media"
	"inspraak/internal/moderation"
	"inspraak/internal/moderation/screen"
	"inspraak/internal/participation"
	"inspraak/internal/project"
	"inspraak/internal/store"
)

// Limits, in characters.
const (
	MinTitle       = 5
	MaxTitle       = 120
	MinDescription = 20
	MaxDescription = 4000
	MaxLocation    = 200
	MaxWijk        = 80
	MaxComment     = 2000
	MaxResponse    = 4000
	MaxThemes      = 20
	MaxThemeName   = 60
	// CommentEditWindow is how long after posting a comment may be edited.
	CommentEditWindow = 15 * time.Minute
)

// Actor is the participant doing something, as the session knows them now.
type Actor struct {
	ParticipantID int64
	Subject       string
	Person        instrument.Person
}

// Event is something a participant should hear about; the notifier turns
// it into an in-app notification and, if they asked, a mail.
type Event struct {
	Kind   string // "idea_status" or "reply"
	Key    string // message key of the one-line title
	Params []string
	Link   string
}

// Notifier tells a participant about an event inside the transaction that
// caused it, so the notice exists exactly when the change does.
type Notifier func(ctx context.Context, tx *gorm.DB, participantID int64, e Event) error

// Service holds the rules of idea boards.
type Service struct {
	db     *store.DB
	key    []byte
	now    func() time.Time
	notify Notifier
	// mod screens contributions and keeps the moderation queue; without
	// it (some unit tests) a pre-moderated board still holds everything
	// back, but nothing is screened or queued.
	mod *moderation.Service

	// boards and supportBatch serve SupportAt (support_batch.go); copies
	// of the service share them. grouped counts the supports stored by
	// groups (tests check that the group path is taken).
	boards       *supportBoards
	supportBatch *store.Groups[*supportReq, bool]
	grouped      *atomic.Int64
	// lists keeps the board's ordered ids per order and filter (listcache.go).
	lists *listCache
}

// NewService returns an idea service. key derives per-board supporter ids.
func NewService(db *store.DB, key []byte) *Service {
	s := &Service{db: db, key: key, now: func() time.Time { return time.Now().UTC() }, lists: newListCache(defaultListBudget),
		notify: func(context.Context, *gorm.DB, int64, Event) error { return nil },
		boards: &supportBoards{}}
	s.grouped = new(atomic.Int64)
	s.supportBatch = newSupportBatch(db, s.grouped)
	return s
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// WithClock returns a copy of the service that reads the time from now,
// leaving this one's clock alone: the demo seed writes a past this way
// without changing the clock of the service the web pages use.
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}

// WithModeration returns a copy of the service that screens and queues
// through m, without registering anything with it (the demo seed uses a
// moderation service with its own clock this way).
func (s *Service) WithModeration(m *moderation.Service) *Service {
	c := *s
	c.mod = m
	return &c
}

// SetModeration connects the moderation queue and registers ideas and
// comments with it.
func (s *Service) SetModeration(m *moderation.Service) {
	s.mod = m
	m.Register(moderation.KindIdea, ideaTarget{s})
	m.Register(moderation.KindComment, commentTarget{s})
}

// assess screens a contribution; without moderation only the board's mode
// counts.
func (s *Service) assess(ctx context.Context, mode string, fields ...screen.Field) moderation.Assessment {
	if s.mod == nil {
		a := moderation.Assessment{State: Approved, Pre: mode == PreModeration}
		if a.Pre {
			a.State = Awaiting
		}
		return a
	}
	return s.mod.Assess(ctx, mode, fields...)
}

// queued puts a contribution in the moderation queue when its assessment
// says so.
func (s *Service) queued(ctx context.Context, tx *gorm.DB, r moderation.Ref, a moderation.Assessment) error {
	if s.mod == nil {
		return nil
	}
	return s.mod.Queued(ctx, tx, r, a)
}

// notBlocked refuses a participant a moderator has blocked.
func (s *Service) notBlocked(ctx context.Context, tx *gorm.DB, participantID int64) error {
	if s.mod == nil {
		return nil
	}
	return s.mod.CheckNotBlocked(ctx, tx, participantID)
}

// ideaFields are an idea's texts as screening and the moderator see
// them; an image's text is the author's words too.
func ideaFields(title, description, location, imageAlt string) []screen.Field {
	fs := []screen.Field{{Name: "title", Text: title}, {Name: "description", Text: description}, {Name: "location", Text: location}}
	if imageAlt != "" {
		fs = append(fs, screen.Field{Name: "image_alt", Text: imageAlt})
	}
	return fs
}

// SetNotifier sets who hears about status changes and replies.
func (s *Service) SetNotifier(n Notifier) { s.notify = n }

// supporterID is the per-board id under which the voter register records
// a participant's supports; supports never carry it.
func (s *Service) supporterID(instrumentID int64, subject string) string {
	return participation.VoterID(s.key, "support", instrumentID, subject)
}

// BoardDraft is what an editor supplies for a new idea board.
type BoardDraft struct {
	ProjectID   int64
	Slug        string
	Title       string
	Description string
	Published   bool
	Rules       instrument.Instrument // who may submit, and the board's period
	Board       Board                 // moderation, submission end, support rules
	Themes      []string
}

func (d *BoardDraft) validate() error {
	f := map[string]string{}
	if strings.TrimSpace(d.Title) == "" {
		f["titel"] = "idea.error.board_title_required"
	}
	switch d.Board.Moderation {
	case PreModeration, PostModeration:
	case "":
		d.Board.Moderation = PostModeration
	default:
		f["moderatie"] = "idea.error.moderation"
	}
	switch d.Board.SupportWho {
	case instrument.WhoAny, instrument.WhoDigiD, instrument.WhoEHerkenning:
	case "":
		d.Board.SupportWho = d.Rules.Who
	default:
		f["steun_wie"] = "editor.error.who"
	}
	if d.Board.SupportWho == "" {
		d.Board.SupportWho = instrument.WhoAny
	}
	var themes []string
	seen := map[string]bool{}
	for _, t := range d.Themes {
		t = strings.TrimSpace(t)
		if t == "" || seen[strings.ToLower(t)] {
			continue
		}
		seen[strings.ToLower(t)] = true
		themes = append(themes, t)
		if utf8.RuneCountInString(t) > MaxThemeName {
			f["themas"] = "idea.error.theme_too_long"
		}
	}
	if len(themes) > MaxThemes {
		f["themas"] = "idea.error.too_many_themes"
	}
	d.Themes = themes
	r := d.Rules
	if r.OpensAt != nil && r.ClosesAt != nil && !r.ClosesAt.After(*r.OpensAt) {
		f["sluit"] = "instrument.error.closes_before_opens"
	}
	if sc := d.Board.SubmitClosesAt; sc != nil && (r.OpensAt != nil && !sc.After(*r.OpensAt) || r.ClosesAt != nil && sc.After(*r.ClosesAt)) {
		f["indienen_tot"] = "idea.error.submit_period"
	}
	if so := d.Board.SupportOpensAt; so != nil && r.ClosesAt != nil && !so.Before(*r.ClosesAt) {
		f["steunen_vanaf"] = "idea.error.support_period"
	}
	if len(f) > 0 {
		return apperror.Invalid.WithFields(f)
	}
	return nil
}

// CreateBoard stores a new idea board with its themes, through
// instrument.Create (the editor's permission, the address, the audit
// record).
func (s *Service) CreateBoard(ctx context.Context, a identity.Actor, d BoardDraft) (*Board, error) {
	if err := d.validate(); err != nil {
		return nil, err
	}
	b := d.Board
	b.Themes, b.Instrument = nil, nil
	err := s.db.WithTx(ctx, func(tx *gorm.DB) error {
		in, err := instrument.Create(tx, a, instrument.Header{ProjectID: d.ProjectID, Kind: instrument.KindIdeaBoard, Slug: d.Slug, Title: d.Title,
			Description: d.Description, Published: d.Published}, d.Rules, s.now(), func(in *instrument.Instrument) (map[string]any, error) {
			b.InstrumentID = in.ID
			if err := tx.Omit(clause.Associations).Create(&b).Error; err != nil {
				return nil, err
			}
			for i, name := range d.Themes {
				t := Theme{InstrumentID: in.ID, Position: i + 1, Name: name}
				if err := tx.Create(&t).Error; err != nil {
					return nil, err
				}
				b.Themes = append(b.Themes, t)
			}
			return map[string]any{"published": d.Published, "themes": len(b.Themes), "moderation": b.Moderation}, nil
		})
		b.Instrument = in
		return err
	})
	if err != nil {
		return nil, err
	}
	return &b, nil
}

// Board returns a board with its instrument and themes.
func (s *Service) Board(ctx context.Context, instrumentID int64) (*Board, error) {
	return loadBoard(s.db.WithContext(ctx), instrumentID)
}

func loadBoard(db *gorm.DB, instrumentID int64) (*Board, error) {
	var b Board
	err := db.Joins("Instrument").Preload("Themes", func(db *gorm.DB) *gorm.DB { return db.Order("position") }).
		Where("idea_boards.instrument_id = ?", instrumentID).Take(&b).Error
	if err != nil {
		return nil, store.MapError(err)
	}
	return &b, nil
}

// boardForRules loads a board for a participant's action with what the
// rules need: its instrument and its project's status, read in one query
// (instrument.ForRules), and its themes only when asked (submitting and
// editing an idea check the theme).
func boardForRules(tx *gorm.DB, instrumentID int64, themes bool) (*Board, project.Status, error) {
	in, ps, err := instrument.ForRules(tx, instrumentID, false)
	if err != nil {
		return nil, "", err
	}
	var b Board
	q := tx.Where("instrument_id = ?", instrumentID)
	if themes {
		q = q.Preload("Themes", func(db *gorm.DB) *gorm.DB { return db.Order("position") })
	}
	if err := q.Take(&b).Error; err != nil {
		return nil, "", store.MapError(err)
	}
	b.Instrument = in
	return &b, ps, nil
}

// Draft is what a resident supplies for an idea.
type Draft struct {
	Title       string
	Description string
	ThemeID     *int64
	Wijk        string
	Location    string
	// Image is an uploaded file (nil: none chosen; on an edit the current
	// image stays unless RemoveImage), ImageAlt its text.
	Image       []byte
	ImageAlt    string
	RemoveImage bool
}

// validate checks the draft; hasImage says whether the idea will have an
// image, imageErr is the uploaded file's refusal (prepareImage).
func (d *Draft) validate(b *Board, hasImage bool, imageErr string) error {
	f := map[string]string{}
	d.checkImage(hasImage, imageErr, f)
	d.Title, d.Description = strings.TrimSpace(d.Title), strings.TrimSpace(strings.ReplaceAll(d.Description, "\r\n", "\n"))
	d.Wijk, d.Location = strings.TrimSpace(d.Wijk), strings.TrimSpace(d.Location)
	switch n := utf8.RuneCountInString(d.Title); {
	case n == 0:
		f["titel"] = "idea.error.title_required"
	case n < MinTitle:
		f["titel"] = "idea.error.title_too_short"
	case n > MaxTitle:
		f["titel"] = "idea.error.title_too_long"
	}
	switch n := utf8.RuneCountInString(d.Description); {
	case n == 0:
		f["beschrijving"] = "idea.error.description_required"
	case n < MinDescription:
		f["beschrijving"] = "idea.error.description_too_short"
	case n > MaxDescription:
		f["beschrijving"] = "idea.error.description_too_long"
	}
	if len(b.Themes) > 0 {
		if d.ThemeID == nil {
			f["thema"] = "idea.error.theme_required"
		} else if b.ThemeName(d.ThemeID) == "" {
			f["thema"] = "idea.error.theme_unknown"
		}
	} else {
		d.ThemeID = nil
	}
	if utf8.RuneCountInString(d.Wijk) > MaxWijk {
		f["wijk"] = "idea.error.wijk_too_long"
	}
	if utf8.RuneCountInString(d.Location) > MaxLocation {
		f["plek"] = "idea.error.location_too_long"
	}
	if strings.ContainsRune(d.Title+d.Description+d.Wijk+d.Location, 0) {
		f["beschrijving"] = "idea.error.description_required"
	}
	if len(f) > 0 {
		return apperror.Invalid.WithFields(f)
	}
	return nil
}

// Submit stores a new idea: public at once on a post-moderated board,
// awaiting moderation on a pre-moderated one.
func (s *Service) Submit(ctx context.Context, instrumentID int64, a Actor, d Draft) (*Idea, error) {
	var idea Idea
	img, imageErr := d.prepareImage()
	err := s.db.WithTx(ctx, func(tx *gorm.DB) error {
		b, ps, err := boardForRules(tx, instrumentID, true)
		if err != nil {
			return err
		}
		if !b.Instrument.Published {
			return apperror.New(apperror.NotFound, "")
		}
		rules := b.SubmitRules()
		if err := instrument.Eligible(&rules, ps, a.Person, s.now()).Err(); err != nil {
			return err
		}
		if err := d.validate(b, img != nil, imageErr); err != nil {
			return err
		}
		if err := s.notBlocked(ctx, tx, a.ParticipantID); err != nil {
			return err
		}
		if img != nil {
			if err := media.Put(tx, img); err != nil {
				return err
			}
			idea.ImagePath, idea.ImageAlt, idea.ImageWidth, idea.ImageHeight = img.Path(), d.ImageAlt, img.Width, img.Height
		}
		now := s.now()
		pid := a.ParticipantID
		as := s.assess(ctx, b.Moderation, ideaFields(d.Title, d.Description, d.Location, d.ImageAlt)...)
		idea.InstrumentID, idea.AuthorID, idea.Title, idea.Description, idea.ThemeID = instrumentID, &pid, d.Title, d.Description, d.ThemeID
		idea.Wijk, idea.Location, idea.Moderation, idea.Status, idea.CreatedAt, idea.UpdatedAt = d.Wijk, d.Location, as.State, StatusNew, now, now
		if err := tx.Create(&idea).Error; err != nil {
			return err
		}
		if err := bumpList(tx, instrumentID); err != nil {
			return err
		}
		return s.queued(ctx, tx, moderation.Ref{Kind: moderation.KindIdea, ID: idea.ID, InstrumentID: instrumentID, AuthorID: &pid}, as)
	})
	if err != nil {
		return nil, err
	}
	return &idea, nil
}

// lockIdea reads an idea for change; on PostgreSQL the row is locked, on
// SQLite the immediate transaction already holds the write lock.
func (s *Service) lockIdea(tx *gorm.DB, ideaID int64) (*Idea, error) {
	var i Idea
	q := tx.Where("id = ?", ideaID)
	if s.db.Dialect == store.Postgres {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Take(&i).Error; err != nil {
		return nil, store.MapError(err)
	}
	return &i, nil
}

func isAuthor(i *Idea, a Actor) bool { return i.AuthorID != nil && *i.AuthorID == a.ParticipantID }

// Edit changes an idea. Only its author may, only until someone else has
// supported or commented on it, and only while submission is open.
func (s *Service) Edit(ctx context.Context, ideaID int64, a Actor, d Draft) error {
	img, imageErr := d.prepareImage()
	return s.db.WithTx(ctx, func(tx *gorm.DB) error {
		i, err := s.lockIdea(tx, ideaID)
		if err != nil {
			return err
		}
		if !isAuthor(i, a) {
			return apperror.New(apperror.Forbidden, "idea.error.not_yours")
		}
		if i.Status == StatusWithdrawn {
			return apperror.New(apperror.Conflict, "idea.error.withdrawn")
		}
		if i.Moderation == Rejected || i.Moderation == Hidden {
			return apperror.New(apperror.Conflict, "idea.error.moderated")
		}
		if err := s.notBlocked(ctx, tx, a.ParticipantID); err != nil {
			return err
		}
		b, ps, err := boardForRules(tx, i.InstrumentID, true)
		if err != nil {
			return err
		}
		rules := b.SubmitRules()
		if err := instrument.Eligible(&rules, ps, a.Person, s.now()).Err(); err != nil {
			return err
		}
		var others int64
		if err := tx.Model(&Comment{}).Where("idea_id = ? AND (author_id IS NULL OR author_id <> ?)", ideaID, a.ParticipantID).
			Count(&others).Error; err != nil {
			return err
		}
		if i.SupportCount > 0 || others > 0 {
			return apperror.New(apperror.Conflict, "idea.error.locked")
		}
		keep := i.ImagePath != "" && !d.RemoveImage && img == nil
		if err := d.validate(b, keep || img != nil, imageErr); err != nil {
			return err
		}
		cols := imageColumns(img, d.ImageAlt)
		if keep {
			cols = map[string]any{"image_alt": d.ImageAlt}
		} else if img != nil {
			if err := media.Put(tx, img); err != nil {
				return err
			}
		}
		now := s.now()
		as := s.assess(ctx, b.Moderation, ideaFields(d.Title, d.Description, d.Location, d.ImageAlt)...)
		state := i.Moderation
		if as.State == Awaiting {
			state = Awaiting // held back again until a moderator has looked
		}
		cols["title"], cols["description"], cols["theme_id"], cols["wijk"], cols["location"] = d.Title, d.Description, d.ThemeID, d.Wijk, d.Location
		cols["moderation"], cols["edited_at"], cols["updated_at"] = state, now, now
		if err := tx.Model(&Idea{}).Where("id = ?", ideaID).Updates(cols).Error; err != nil {
			return err
		}
		if i.ImagePath != "" && !keep && (img == nil || img.Path() != i.ImagePath) {
			// The image was removed or replaced.
			if err := media.Release(tx, i.ImagePath); err != nil {
				return err
			}
		}
		if err := bumpList(tx, i.InstrumentID); err != nil {
			return err
		}
		return s.queued(ctx, tx, moderation.Ref{Kind: moderation.KindIdea, ID: ideaID, InstrumentID: i.InstrumentID, AuthorID: i.AuthorID}, as)
	})
}

// Editable says whether the author may still change the idea (for showing
// the edit link; Edit decides).
func (s *Service) Editable(ctx context.Context, i *Idea, a Actor) (bool, error) {
	if !isAuthor(i, a) || i.Status == StatusWithdrawn || i.SupportCount > 0 {
		return false, nil
	}
	var others int64
	err := s.db.WithContext(ctx).Model(&Comment{}).Where("idea_id = ? AND (author_id IS NULL OR author_id <> ?)", i.ID, a.ParticipantID).
		Count(&others).Error
	return others == 0, err
}

// Withdraw takes an idea off the board at its author's request. Its
// supports stay stored; the idea is no longer shown to others.
func (s *Service) Withdraw(ctx context.Context, ideaID int64, a Actor) error {
	return s.db.WithTx(ctx, func(tx *gorm.DB) error {
		i, err := s.lockIdea(tx, ideaID)
		if err != nil {
			return err
		}
		if !isAuthor(i, a) {
			return apperror.New(apperror.Forbidden, "idea.error.not_yours")
		}
		if i.Status == StatusWithdrawn {
			return nil // already done: a second click changes nothing
		}
		now := s.now()
		if err := tx.Model(&Idea{}).Where("id = ?", ideaID).Updates(map[string]any{"status": StatusWithdrawn, "updated_at": now}).Error; err != nil {
			return err
		}
		if err := bumpList(tx, i.InstrumentID); err != nil {
			return err
		}
		return tx.Create(&StatusChange{IdeaID: ideaID, Status: StatusWithdrawn, CreatedAt: now}).Error
	})
}

// publicIdeaForAction loads an idea that others may act on (support,
// comment) and checks the board's support rules for the actor.
func (s *Service) publicIdeaForAction(tx *gorm.DB, ideaID int64, a Actor) (*Idea, *Board, error) {
	var i Idea
	if err := tx.Where("id = ?", ideaID).Take(&i).Error; err != nil {
		return nil, nil, store.MapError(err)
	}
	if !i.Public() {
		return nil, nil, apperror.New(apperror.NotFound, "")
	}
	b, ps, err := boardForRules(tx, i.InstrumentID, false)
	if err != nil {
		return nil, nil, err
	}
	if !b.Instrument.Published {
		return nil, nil, apperror.New(apperror.NotFound, "")
	}
	rules := b.SupportRules()
	if err := instrument.Eligible(&rules, ps, a.Person, s.now()).Err(); err != nil {
		return nil, nil, err
	}
	return &i, b, nil
}

// Support records one participant's support for an idea. Supporting twice
// changes nothing; the count moves in the same transaction as the row. The
// voter register's key allows one support per person per idea, also past
// an erasure: someone who supported and then erased their data is refused.
// An idea the municipality rejected or carried out, or that its author
// withdrew, cannot be supported (Status.Supportable). The support endpoint comes
// through SupportAt, which stores most first supports in groups on
// PostgreSQL and leaves the rest to this transaction.
func (s *Service) Support(ctx context.Context, ideaID int64, a Actor) error {
	return s.support(ctx, ideaID, 0, a)
}

// support is Support for an idea of board instrumentID (0: any board).
func (s *Service) support(ctx context.Context, ideaID, instrumentID int64, a Actor) error {
	return s.retry(ctx, func(tx *gorm.DB) error {
		i, err := s.ideaForSupport(tx, ideaID, instrumentID, a)
		if err != nil {
			return err
		}
		if isAuthor(i, a) {
			return apperror.New(apperror.Conflict, "idea.error.own_idea")
		}
		first, err := participation.Register(tx, participation.Support, ideaID, i.InstrumentID, s.supporterID(i.InstrumentID, a.Subject))
		if err != nil {
			return err
		}
		if !first {
			var n int64
			if err := tx.Model(&Support{}).Where("participant_id = ? AND idea_id = ?", a.ParticipantID, ideaID).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return apperror.New(apperror.Conflict, "idea.error.took_part_unlinked")
			}
			return nil // supported already
		}
		pid := a.ParticipantID
		if err := tx.Create(&Support{IdeaID: ideaID, ParticipantID: &pid, CreatedAt: s.now()}).Error; err != nil {
			return err
		}
		// No list version bump: the most-supported order is rebuilt by
		// age instead (listcache.go, supportListAge).
		return tx.Model(&Idea{}).Where("id = ?", ideaID).UpdateColumn("support_count", gorm.Expr("support_count + 1")).Error
	})
}

// ideaForSupport loads an idea for supporting or taking a support back:
// on board instrumentID (unless 0), in a status that allows it (a clear
// refusal otherwise, also for a withdrawn idea), public, and the board's
// support rules met by the actor. On PostgreSQL the idea row is locked,
// so a status change lands wholly before or after the support.
func (s *Service) ideaForSupport(tx *gorm.DB, ideaID, instrumentID int64, a Actor) (*Idea, error) {
	var i Idea
	q := tx.Where("id = ?", ideaID)
	if s.db.Dialect == store.Postgres {
		// Not FOR UPDATE: comments and supports referencing the idea
		// (FOR KEY SHARE) need not wait.
		q = q.Clauses(clause.Locking{Strength: "NO KEY UPDATE"})
	}
	if err := q.Take(&i).Error; err != nil {
		return nil, store.MapError(err)
	}
	if instrumentID != 0 && i.InstrumentID != instrumentID || i.Moderation != Approved {
		return nil, apperror.New(apperror.NotFound, "")
	}
	if err := i.Status.SupportRefusal(); err != nil {
		return nil, err
	}
	if _, _, err := s.publicIdeaForAction(tx, ideaID, a); err != nil {
		return nil, err
	}
	return &i, nil
}

// Unsupport takes a support back while supporting is open. A support no
// longer linked to the person (they erased their data) cannot be taken
// back. Nor can a support of an idea the municipality has rejected or
// carried out, or that its author withdrew: the decision was made, and is
// reported, with that count (Status.SupportRefusal).
func (s *Service) Unsupport(ctx context.Context, ideaID int64, a Actor) error {
	return s.retry(ctx, func(tx *gorm.DB) error {
		i, err := s.ideaForSupport(tx, ideaID, 0, a)
		if err != nil {
			return err
		}
		voter := s.supporterID(i.InstrumentID, a.Subject)
		res := tx.Where("participant_id = ? AND idea_id = ?", a.ParticipantID, ideaID).Delete(&Support{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			took, err := participation.Registered(tx, participation.Support, ideaID, voter)
			if err != nil {
				return err
			}
			if took {
				return apperror.New(apperror.Conflict, "idea.error.took_part_unlinked")
			}
			return nil
		}
		if err := participation.Unregister(tx, participation.Support, ideaID, voter); err != nil {
			return err
		}
		// No list version bump: the most-supported order is rebuilt by
		// age instead (listcache.go, supportListAge).
		return tx.Model(&Idea{}).Where("id = ?", ideaID).UpdateColumn("support_count", gorm.Expr("support_count - 1")).Error
	})
}

// retry runs a short write transaction again when writers collided
// (a PostgreSQL deadlock or serialisation failure, SQLite's busy lock).
func (s *Service) retry(ctx context.Context, fn func(tx *gorm.DB) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = s.db.WithTx(ctx, fn)
		if err == nil || !store.Collided(err) {
			return err
		}
	}
	return err
}

// Supports returns which of the given ideas of a board the participant
// supports, and which they supported before erasing their data (the
// register knows, but the support is no longer linked to them).
func (s *Service) Supports(ctx context.Context, instrumentID int64, a Actor, ideaIDs []int64) (supported, unlinked map[int64]bool, err error) {
	supported, unlinked = map[int64]bool{}, map[int64]bool{}
	if len(ideaIDs) == 0 || a.Subject == "" {
		return supported, unlinked, nil
	}
	registered, err := participation.RegisteredIn(ctx, s.db, participation.Support, s.supporterID(instrumentID, a.Subject), ideaIDs)
	if err != nil || len(registered) == 0 {
		return supported, unlinked, err
	}
	var ids []int64
	err = s.db.WithContext(ctx).Model(&Support{}).Where("participant_id = ? AND idea_id IN ?", a.ParticipantID, ideaIDs).
		Pluck("idea_id", &ids).Error
	for _, id := range ids {
		supported[id] = true
	}
	for id := range registered {
		if !supported[id] {
			unlinked[id] = true
		}
	}
	return supported, unlinked, err
}

// Recount counts an idea's supports from the rows themselves.
func (s *Service) Recount(ctx context.Context, ideaID int64) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&Support{}).Where("idea_id = ?", ideaID).Count(&n).Error
	return n, err
}

func commentBody(body string) (string, error) {
	body = strings.TrimSpace(strings.ReplaceAll(body, "\r\n", "\n"))
	switch n := utf8.RuneCountInString(body); {
	case n == 0 || strings.ContainsRune(body, 0):
		return "", apperror.Invalid.WithFields(map[string]string{"reactie": "idea.error.comment_required"})
	case n > MaxComment:
		return "", apperror.Invalid.WithFields(map[string]string{"reactie": "idea.error.comment_too_long"})
	}
	return body, nil
}

// Comment adds a comment to an idea, or a reply when parentID is set. A
// reply to a reply joins the same thread: there is one level of replies.
// The author of the comment replied to hears about it.
func (s *Service) Comment(ctx context.Context, ideaID int64, parentID *int64, a Actor, body string) (*Comment, error) {
	body, err := commentBody(body)
	if err != nil {
		return nil, err
	}
	var c Comment
	err = s.retry(ctx, func(tx *gorm.DB) error {
		i, b, err := s.publicIdeaForAction(tx, ideaID, a)
		if err != nil {
			return err
		}
		if err := s.notBlocked(ctx, tx, a.ParticipantID); err != nil {
			return err
		}
		var parent *Comment
		var repliedTo *int64 // the author of the comment answered, even when the reply joins its thread
		var replyTo *int64
		if parentID != nil {
			var p Comment
			if err := tx.Where("id = ? AND idea_id = ?", *parentID, ideaID).Take(&p).Error; err != nil {
				if errors.Is(err, gorm.ErrRecordNotFound) {
					return apperror.Invalid.WithFields(map[string]string{"reactie": "idea.error.parent_unknown"})
				}
				return err
			}
			repliedTo = p.AuthorID
			replyTo = &p.ID
			if p.ParentID != nil {
				var top Comment
				if err := tx.Where("id = ?", *p.ParentID).Take(&top).Error; err != nil {
					return err
				}
				p = top
			}
			parent = &p
		}
		now := s.now()
		pid := a.ParticipantID
		as := s.assess(ctx, b.Moderation, screen.Field{Name: "body", Text: body})
		c = Comment{IdeaID: ideaID, AuthorID: &pid, Body: body, Moderation: as.State, CreatedAt: now}
		if as.State != Approved {
			c.PendingReplyTo = replyTo
		}
		if parent != nil {
			c.ParentID = &parent.ID
		}
		if err := tx.Create(&c).Error; err != nil {
			return err
		}
		if err := s.queued(ctx, tx, moderation.Ref{Kind: moderation.KindComment, ID: c.ID, InstrumentID: i.InstrumentID, AuthorID: &pid}, as); err != nil {
			return err
		}
		if c.Moderation == Approved {
			if err := tx.Model(&Idea{}).Where("id = ?", ideaID).UpdateColumn("comment_count", gorm.Expr("comment_count + 1")).Error; err != nil {
				return err
			}
		}
		if repliedTo != nil && *repliedTo != a.ParticipantID && c.Moderation == Approved {
			return s.notify(ctx, tx, *repliedTo, Event{Kind: "reply", Key: "notify.reply", Params: []string{i.Title},
				Link: ideaLink(tx, i) + "#reactie-" + itoa(c.ID)})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// lockComment reads a comment of the actor for change.
func (s *Service) lockComment(tx *gorm.DB, commentID int64, a Actor) (*Comment, error) {
	var c Comment
	q := tx.Where("id = ?", commentID)
	if s.db.Dialect == store.Postgres {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Take(&c).Error; err != nil {
		return nil, store.MapError(err)
	}
	if c.AuthorID == nil || *c.AuthorID != a.ParticipantID {
		return nil, apperror.New(apperror.Forbidden, "idea.error.not_your_comment")
	}
	if c.Deleted() {
		return nil, apperror.New(apperror.Conflict, "idea.error.comment_deleted")
	}
	return &c, nil
}

// CanEditComment says whether the comment may still be edited now.
func (s *Service) CanEditComment(c *Comment, participantID int64) bool {
	return c.AuthorID != nil && *c.AuthorID == participantID && !c.Deleted() && s.now().Before(c.CreatedAt.Add(CommentEditWindow))
}

// EditComment changes the text of one's own comment within 15 minutes of
// posting it.
func (s *Service) EditComment(ctx context.Context, commentID int64, a Actor, body string) error {
	body, err := commentBody(body)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *gorm.DB) error {
		c, err := s.lockComment(tx, commentID, a)
		if err != nil {
			return err
		}
		if !s.now().Before(c.CreatedAt.Add(CommentEditWindow)) {
			return apperror.New(apperror.Conflict, "idea.error.edit_window")
		}
		if c.Moderation == Rejected || c.Moderation == Hidden {
			return apperror.New(apperror.Conflict, "idea.error.moderated")
		}
		if err := s.notBlocked(ctx, tx, a.ParticipantID); err != nil {
			return err
		}
		var i Idea
		if err := tx.Where("id = ?", c.IdeaID).Take(&i).Error; err != nil {
			return err
		}
		b, err := loadBoard(tx, i.InstrumentID)
		if err != nil {
			return err
		}
		as := s.assess(ctx, b.Moderation, screen.Field{Name: "body", Text: body})
		up := map[string]any{"body": body, "edited_at": s.now()}
		if as.State == Awaiting && c.Moderation == Approved {
			up["moderation"] = Awaiting
			if err := tx.Model(&Idea{}).Where("id = ?", c.IdeaID).UpdateColumn("comment_count", gorm.Expr("comment_count - 1")).Error; err != nil {
				return err
			}
		}
		if err := tx.Model(&Comment{}).Where("id = ?", commentID).Updates(up).Error; err != nil {
			return err
		}
		return s.queued(ctx, tx, moderation.Ref{Kind: moderation.KindComment, ID: c.ID, InstrumentID: i.InstrumentID, AuthorID: c.AuthorID}, as)
	})
}

// DeleteComment removes the text of one's own comment; a placeholder keeps
// the thread readable and the replies in place.
func (s *Service) DeleteComment(ctx context.Context, commentID int64, a Actor) error {
	return s.db.WithTx(ctx, func(tx *gorm.DB) error {
		c, err := s.lockComment(tx, commentID, a)
		if err != nil {
			return err
		}
		return deleteComment(tx, c, s.now())
	})
}

func deleteComment(tx *gorm.DB, c *Comment, now time.Time) error {
	if err := tx.Model(&Comment{}).Where("id = ?", c.ID).Updates(map[string]any{"body": "", "deleted_at": now}).Error; err != nil {
		return err
	}
	if c.Moderation == Approved {
		return tx.Model(&Idea{}).Where("id = ?", c.IdeaID).UpdateColumn("comment_count", gorm.Expr("comment_count - 1")).Error
	}
	return nil
}

// SetStatus gives an idea a new status with the municipality's written
// response; the step joins the idea's history and its author hears of it.
// Only editors may; the audit record is written in the same transaction.
func (s *Service) SetStatus(ctx context.Context, a identity.Actor, ideaID int64, status Status, response string) error {
	if err := a.Require(identity.PermEdit); err != nil {
		return err
	}
	response = strings.TrimSpace(strings.ReplaceAll(response, "\r\n", "\n"))
	f := map[string]string{}
	valid := false
	for _, st := range EditorStatuses {
		valid = valid || st == status
	}
	if !valid {
		f["status"] = "idea.error.status"
	}
	switch n := utf8.RuneCountInString(response); {
	case n == 0:
		f["reactie"] = "idea.error.response_required"
	case n > MaxResponse:
		f["reactie"] = "idea.error.response_too_long"
	}
	if len(f) > 0 {
		return apperror.Invalid.WithFields(f)
	}
	return s.db.WithTx(ctx, func(tx *gorm.DB) error {
		i, err := s.lockIdea(tx, ideaID)
		if err != nil {
			return err
		}
		if i.Status == StatusWithdrawn {
			return apperror.New(apperror.Conflict, "idea.error.withdrawn")
		}
		now := s.now()
		if err := tx.Model(&Idea{}).Where("id = ?", ideaID).Updates(map[string]any{"status": status, "updated_at": now}).Error; err != nil {
			return err
		}
		if err := bumpList(tx, i.InstrumentID); err != nil {
			return err
		}
		var sid *int64
		if a.StaffID > 0 {
			sid = &a.StaffID
		}
		if err := tx.Create(&StatusChange{IdeaID: ideaID, Status: status, Response: response, StaffID: sid, CreatedAt: now}).Error; err != nil {
			return err
		}
		if err := a.Record(tx, "idea.status", "idea:"+itoa(ideaID), map[string]any{"status": string(status), "board": i.InstrumentID}); err != nil {
			return err
		}
		if i.AuthorID == nil {
			return nil
		}
		return s.notify(ctx, tx, *i.AuthorID, Event{Kind: "idea_status", Key: "notify.idea_status." + string(status),
			Params: []string{i.Title}, Link: ideaLink(tx, i)})
	})
}

// ideaLink is the public address of an idea.
func ideaLink(tx *gorm.DB, i *Idea) string {
	var row struct {
		ProjectSlug string
		Slug        string
	}
	tx.Table("instruments").Select("projects.slug AS project_slug, instruments.slug").
		Joins("JOIN projects ON projects.id = instruments.project_id").Where("instruments.id = ?", i.InstrumentID).Take(&row)
	return "/projecten/" + row.ProjectSlug + "/" + row.Slug + "/ideeen/" + itoa(i.ID)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// BoardSettings is what an editor may change of a board once it exists
// (the instrument's own title and rules change on the shared settings
// screen).
type BoardSettings struct {
	Moderation           string
	SubmitClosesAt       *time.Time
	SupportOpensAt       *time.Time
	SupportWho           string
	SupportMinLoADigiD   string
	SupportMinLoAEH      string
	SupportResidentsOnly bool
	SupportMinAge        int
	// Rename maps theme ids to new names; Remove lists themes to remove
	// (refused while ideas use them); Add appends new themes.
	Rename map[int64]string
	Remove []int64
	Add    []string
}

// UpdateBoard changes a board's settings and themes in one transaction
// that also moves the instrument's updated_at. Nothing changes when any
// part is refused. Only editors may; the audit record is written in the
// same transaction.
func (s *Service) UpdateBoard(ctx context.Context, a identity.Actor, instrumentID int64, st BoardSettings) error {
	if err := a.Require(identity.PermEdit); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *gorm.DB) error {
		in, err := instrument.Touch(tx, instrumentID, s.now())
		if err != nil {
			return err
		}
		b, err := loadBoard(tx, instrumentID)
		if err != nil {
			return err
		}
		// Validate as a new board would be, with the themes as they will be.
		d := BoardDraft{Title: in.Title, Rules: *in, Board: Board{Moderation: st.Moderation, SubmitClosesAt: st.SubmitClosesAt,
			SupportOpensAt: st.SupportOpensAt, SupportWho: st.SupportWho}}
		for _, t := range b.Themes {
			name := t.Name
			if n, ok := st.Rename[t.ID]; ok {
				name = n
			}
			d.Themes = append(d.Themes, name)
		}
		d.Themes = append(d.Themes, st.Add...)
		f := map[string]string{}
		if err := d.validate(); err != nil {
			if e, ok := apperror.As(err); ok {
				f = e.Fields
			}
		}
		seen := map[string]bool{}
		for _, t := range b.Themes {
			if slices.Contains(st.Remove, t.ID) {
				var used int64
				if err := tx.Model(&Idea{}).Where("theme_id = ?", t.ID).Count(&used).Error; err != nil {
					return err
				}
				if used > 0 {
					f["thema-"+itoa(t.ID)] = "idea.error.theme_in_use"
				}
				continue
			}
			name := strings.TrimSpace(t.Name)
			if n, ok := st.Rename[t.ID]; ok {
				name = strings.TrimSpace(n)
			}
			if name == "" {
				f["thema-"+itoa(t.ID)] = "idea.error.theme_empty"
			} else if seen[strings.ToLower(name)] {
				f["thema-"+itoa(t.ID)] = "idea.error.theme_twice"
			}
			seen[strings.ToLower(name)] = true
		}
		for _, name := range st.Add {
			if name = strings.TrimSpace(name); name != "" && seen[strings.ToLower(name)] {
				f["nieuw_thema"] = "idea.error.theme_twice"
			}
		}
		if len(f) > 0 {
			return apperror.Invalid.WithFields(f)
		}
		if err := tx.Model(&Board{}).Where("instrument_id = ?", instrumentID).Updates(map[string]any{
			"moderation": d.Board.Moderation, "submit_closes_at": st.SubmitClosesAt, "support_opens_at": st.SupportOpensAt,
			"support_who": d.Board.SupportWho, "support_min_loa_digid": st.SupportMinLoADigiD, "support_min_loa_eh": st.SupportMinLoAEH,
			"support_residents_only": st.SupportResidentsOnly, "support_min_age": st.SupportMinAge,
		}).Error; err != nil {
			return err
		}
		last := 0
		for _, t := range b.Themes {
			last = max(last, t.Position)
			if slices.Contains(st.Remove, t.ID) {
				if err := tx.Delete(&Theme{}, t.ID).Error; err != nil {
					return store.MapError(err)
				}
				continue
			}
			if n, ok := st.Rename[t.ID]; ok && strings.TrimSpace(n) != t.Name {
				if err := tx.Model(&Theme{}).Where("id = ?", t.ID).Update("name", strings.TrimSpace(n)).Error; err != nil {
					if errors.Is(err, gorm.ErrDuplicatedKey) { // two themes swapping names
						return apperror.Invalid.WithFields(map[string]string{"thema-" + itoa(t.ID): "idea.error.theme_twice"})
					}
					return err
				}
			}
		}
		added := false
		for _, name := range st.Add {
			if name = strings.TrimSpace(name); name == "" {
				continue
			}
			last++
			added = true
			if err := tx.Create(&Theme{InstrumentID: instrumentID, Position: last, Name: name}).Error; err != nil {
				if errors.Is(err, gorm.ErrDuplicatedKey) {
					return apperror.Invalid.WithFields(map[string]string{"nieuw_thema": "idea.error.theme_twice"})
				}
				return err
			}
		}
		return a.Record(tx, "idea_board.settings", instrument.Target(instrumentID),
			map[string]any{"moderation": st.Moderation, "removed_themes": len(st.Remove), "added_theme": added})
	})
}
