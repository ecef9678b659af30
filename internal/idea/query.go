package idea

import (
	"cmp"
	"context"
	"slices"
	"time"

	"gorm.io/gorm"

	"inspraak/internal/account"
	"inspraak/internal/store"
)

// Sort orders of the board.
const (
	SortRandom  = "willekeurig"
	SortNewest  = "nieuw"
	SortSupport = "steun"
)

// PerPage is how many ideas one page of the board shows.
const PerPage = 20

// Query selects a page of a board's public ideas.
type Query struct {
	ThemeID *int64
	Status  Status
	Sort    string
	// Seed makes the random order: the same seed gives the same order on
	// every page, so paging never shows an idea twice or skips one.
	Seed uint64
	Page int // 1-based
	// All includes ideas awaiting moderation and withdrawn ones (the
	// editors' list).
	All bool
}

// Page is one page of ideas and how many match in all.
type Page struct {
	Ideas []Idea
	Total int64
	Page  int
	Pages int
}

// randomPrime is 2^31 - 1: (id + a) * m modulo a prime is a different
// permutation of ids for every multiplier m (64-bit arithmetic suffices
// for ids below 2^31).
const randomPrime = 2147483647

// randomOrder derives the order's two numbers from a visitor's seed.
// The seed is mixed first (splitmix64), so that nearby seeds, and small
// multipliers that would leave small ids in submission order, do not occur.
func randomOrder(seed uint64) (a, m int64) {
	mix := func(x uint64) uint64 {
		x += 0x9e3779b97f4a7c15
		x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
		x = (x ^ (x >> 27)) * 0x94d049bb133111eb
		return x ^ (x >> 31)
	}
	h := mix(seed)
	m = int64(h%(randomPrime-2)) + 2
	a = int64(mix(h) % 1000003)
	return a, m
}

type ideaRow struct {
	Idea
	AuthorName string
}

func withAuthors(rows []ideaRow) []Idea {
	out := make([]Idea, len(rows))
	for i, r := range rows {
		out[i] = r.Idea
		out[i].AuthorName = r.AuthorName
	}
	return out
}

// List returns one page of a board's ideas with their counts (kept on the
// idea row: no query per idea) and author names (one join). It reads the
// matching ideas' ids and sort keys in one narrow query — their number is
// the total — orders them here, and then loads only the page's rows: the
// database never sorts or joins the whole board for twenty ideas.
func (s *Service) List(ctx context.Context, instrumentID int64, q Query) (Page, error) {
	base := s.db.WithContext(ctx).Model(&Idea{}).Where("ideas.instrument_id = ?", instrumentID)
	if !q.All {
		// Written out, not bound: this is the partial index's condition,
		// and SQLite only uses such an index for the same constants.
		base = base.Where("ideas.moderation = 'approved' AND ideas.status <> 'withdrawn'")
	}
	if q.ThemeID != nil {
		base = base.Where("ideas.theme_id = ?", *q.ThemeID)
	}
	if q.Status != "" {
		base = base.Where("ideas.status = ?", q.Status)
	}
	// Only the columns the order needs: parsing 5,000 timestamps is
	// most of the cost on SQLite.
	cols := "ideas.id"
	switch q.Sort {
	case SortNewest:
		cols += ", ideas.created_at"
	case SortSupport:
		cols += ", ideas.support_count"
	}
	var keys []sortKey
	if err := base.Select(cols).Scan(&keys).Error; err != nil {
		return Page{}, err
	}
	order(keys, q)
	p := Page{Total: int64(len(keys))}
	p.Pages = int((p.Total + PerPage - 1) / PerPage)
	p.Page = max(1, q.Page)
	if p.Pages > 0 && p.Page > p.Pages {
		p.Page = p.Pages
	}
	from := min((p.Page-1)*PerPage, len(keys))
	keys = keys[from:min(from+PerPage, len(keys))]
	if len(keys) == 0 {
		return p, nil
	}
	ids := make([]int64, len(keys))
	at := make(map[int64]int, len(keys))
	for i, k := range keys {
		ids[i], at[k.ID] = k.ID, i
	}
	var found []ideaRow
	err := s.db.WithContext(ctx).Model(&Idea{}).Select("ideas.*, COALESCE(participants.display_name, '') AS author_name").
		Joins("LEFT JOIN participants ON participants.id = ideas.author_id").Where("ideas.id IN ?", ids).Scan(&found).Error
	if err != nil {
		return p, err
	}
	p.Ideas = make([]Idea, len(ids))
	for _, r := range found {
		i := at[r.ID]
		p.Ideas[i] = r.Idea
		p.Ideas[i].AuthorName = r.AuthorName
	}
	if len(found) != len(ids) { // an idea removed between the two reads
		kept := p.Ideas[:0]
		for _, i := range p.Ideas {
			if i.ID != 0 {
				kept = append(kept, i)
			}
		}
		p.Ideas = kept
	}
	return p, nil
}

type sortKey struct {
	ID           int64
	SupportCount int64
	CreatedAt    time.Time
}

// order sorts the keys in the query's order; every order ends on the id,
// so it is total and paging is stable.
func order(keys []sortKey, q Query) {
	switch q.Sort {
	case SortNewest:
		slices.SortFunc(keys, func(x, y sortKey) int {
			if c := y.CreatedAt.Compare(x.CreatedAt); c != 0 {
				return c
			}
			return cmp.Compare(y.ID, x.ID)
		})
	case SortSupport:
		slices.SortFunc(keys, func(x, y sortKey) int {
			if c := cmp.Compare(y.SupportCount, x.SupportCount); c != 0 {
				return c
			}
			return cmp.Compare(y.ID, x.ID)
		})
	default:
		a, m := randomOrder(q.Seed)
		key := func(id int64) int64 { return ((id + a) * m) % randomPrime }
		slices.SortFunc(keys, func(x, y sortKey) int {
			if c := cmp.Compare(key(x.ID), key(y.ID)); c != 0 {
				return c
			}
			return cmp.Compare(x.ID, y.ID)
		})
	}
}

// Get returns an idea with its author's name.
func (s *Service) Get(ctx context.Context, ideaID int64) (*Idea, error) {
	var r ideaRow
	err := s.db.WithContext(ctx).Model(&Idea{}).Select("ideas.*, COALESCE(participants.display_name, '') AS author_name").
		Joins("LEFT JOIN participants ON participants.id = ideas.author_id").Where("ideas.id = ?", ideaID).Take(&r).Error
	if err != nil {
		return nil, store.MapError(err)
	}
	i := r.Idea
	i.AuthorName = r.AuthorName
	return &i, nil
}

// Visible says whether a viewer may see an idea: everyone when it is
// public, its author always (with its moderation or withdrawal state).
func Visible(i *Idea, viewerID int64) bool {
	return i.Public() || viewerID != 0 && i.AuthorID != nil && *i.AuthorID == viewerID
}

type commentRow struct {
	Comment
	AuthorName string
}

// Comments returns an idea's thread: top-level comments oldest first, each
// with its replies. A viewer sees approved comments, all their own (also
// those waiting for or refused by a moderator), and a placeholder without
// text or name for a comment a moderator hid.
func (s *Service) Comments(ctx context.Context, ideaID, viewerID int64) ([]*Comment, error) {
	var rows []commentRow
	err := s.db.WithContext(ctx).Model(&Comment{}).
		Select("idea_comments.*, COALESCE(participants.display_name, '') AS author_name").
		Joins("LEFT JOIN participants ON participants.id = idea_comments.author_id").
		Where("idea_comments.idea_id = ? AND (idea_comments.moderation IN ? OR idea_comments.author_id = ?)", ideaID,
			[]string{Approved, Hidden}, viewerID).
		Order("idea_comments.created_at, idea_comments.id").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	var top []*Comment
	byID := map[int64]*Comment{}
	for i := range rows {
		c := rows[i].Comment
		c.AuthorName = rows[i].AuthorName
		if c.Moderation != Approved && (c.AuthorID == nil || *c.AuthorID != viewerID) {
			// A comment hidden by a moderator stays as a placeholder, so
			// the replies under it keep their place; its text is not shown.
			c.Body, c.AuthorName = "", ""
		}
		cp := &c
		byID[c.ID] = cp
		if c.ParentID == nil {
			top = append(top, cp)
		}
	}
	for _, c := range byID {
		if c.ParentID != nil {
			if p := byID[*c.ParentID]; p != nil {
				p.Replies = append(p.Replies, c)
			}
		}
	}
	for _, c := range top {
		sortByTime(c.Replies)
	}
	return top, nil
}

func sortByTime(cs []*Comment) {
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && (cs[j].CreatedAt.Before(cs[j-1].CreatedAt) || cs[j].CreatedAt.Equal(cs[j-1].CreatedAt) && cs[j].ID < cs[j-1].ID); j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
}

// History returns an idea's status steps, oldest first.
func (s *Service) History(ctx context.Context, ideaID int64) ([]StatusChange, error) {
	var out []StatusChange
	err := s.db.WithContext(ctx).Where("idea_id = ?", ideaID).Order("created_at, id").Find(&out).Error
	return out, err
}

// Place is where a contribution lives: enough to link to it.
type Place struct {
	ProjectSlug     string
	ProjectTitle    string
	InstrumentSlug  string
	InstrumentTitle string
}

// MyIdea is one of the participant's ideas with its latest response.
type MyIdea struct {
	Place
	Idea
	Response    string
	RespondedAt *time.Time
}

// MyComment is one of the participant's comments.
type MyComment struct {
	Place
	IdeaID     int64
	IdeaTitle  string
	CommentID  int64
	Body       string
	Moderation string
	CreatedAt  time.Time
	Deleted    bool
	Replies    int64
}

// MySupport is an idea the participant supports.
type MySupport struct {
	Place
	IdeaID     int64
	IdeaTitle  string
	IdeaStatus Status
	CreatedAt  time.Time
}

// Mine is everything a participant did on idea boards.
type Mine struct {
	Ideas    []MyIdea
	Comments []MyComment
	Supports []MySupport
}

const placeColumns = "projects.slug AS project_slug, projects.title AS project_title, instruments.slug AS instrument_slug, instruments.title AS instrument_title"

// MineOf returns a participant's ideas (with the latest municipal
// response), comments and supports, newest first.
func (s *Service) MineOf(ctx context.Context, participantID int64) (Mine, error) {
	var m Mine
	db := s.db.WithContext(ctx)
	err := db.Model(&Idea{}).Select(placeColumns+", ideas.*, "+
		"(SELECT response FROM idea_status_changes sc WHERE sc.idea_id = ideas.id AND sc.response <> '' ORDER BY sc.created_at DESC, sc.id DESC LIMIT 1) AS response, "+
		"(SELECT created_at FROM idea_status_changes sc WHERE sc.idea_id = ideas.id AND sc.response <> '' ORDER BY sc.created_at DESC, sc.id DESC LIMIT 1) AS responded_at").
		Joins("JOIN instruments ON instruments.id = ideas.instrument_id").
		Joins("JOIN projects ON projects.id = instruments.project_id").
		Where("ideas.author_id = ?", participantID).Order("ideas.created_at DESC, ideas.id DESC").Scan(&m.Ideas).Error
	if err != nil {
		return m, err
	}
	err = db.Model(&Comment{}).Select(placeColumns+", ideas.id AS idea_id, ideas.title AS idea_title, idea_comments.id AS comment_id, "+
		"idea_comments.body, idea_comments.moderation, idea_comments.created_at, idea_comments.deleted_at IS NOT NULL AS deleted, "+
		"(SELECT COUNT(*) FROM idea_comments r WHERE r.parent_id = idea_comments.id AND r.deleted_at IS NULL AND r.moderation = 'approved') AS replies").
		Joins("JOIN ideas ON ideas.id = idea_comments.idea_id").
		Joins("JOIN instruments ON instruments.id = ideas.instrument_id").
		Joins("JOIN projects ON projects.id = instruments.project_id").
		Where("idea_comments.author_id = ?", participantID).Order("idea_comments.created_at DESC, idea_comments.id DESC").Scan(&m.Comments).Error
	if err != nil {
		return m, err
	}
	err = db.Model(&Support{}).Select(placeColumns+", ideas.id AS idea_id, ideas.title AS idea_title, ideas.status AS idea_status, idea_supports.created_at").
		Joins("JOIN ideas ON ideas.id = idea_supports.idea_id").
		Joins("JOIN instruments ON instruments.id = ideas.instrument_id").
		Joins("JOIN projects ON projects.id = instruments.project_id").
		Where("idea_supports.participant_id = ?", participantID).Order("idea_supports.created_at DESC").Scan(&m.Supports).Error
	return m, err
}

// Erase unlinks a participant from everything on idea boards, inside the
// caller's transaction: their ideas stay (others supported them and the
// municipality answered them) without a name, their comments lose their
// text (a placeholder keeps threads readable), and their supports stay
// counted without a link to them. The voter register keeps only which
// ideas they supported, so they cannot support those again. Every row
// that was theirs keeps only the day of each of its times (an idea's date
// is public on the board, to the day), not the moments a login would link
// back to them; nothing is stamped with the erasure's moment.
func Erase(tx *gorm.DB, participantID int64, now time.Time) error {
	var comments []Comment
	if err := tx.Where("author_id = ? AND deleted_at IS NULL", participantID).Find(&comments).Error; err != nil {
		return err
	}
	for _, c := range comments {
		if err := tx.Model(&Comment{}).Where("id = ?", c.ID).UpdateColumns(map[string]any{"body": "", "deleted_at": now}).Error; err != nil {
			return err
		}
		if c.Moderation == Approved {
			if err := tx.Model(&Idea{}).Where("id = ?", c.IdeaID).UpdateColumn("comment_count", gorm.Expr("comment_count - 1")).Error; err != nil {
				return err
			}
		}
	}
	// Others' ideas they supported, commented on or reported: a support
	// or a comment stamped the idea's updated_at before counts stopped
	// doing so, and a report can hide it (a moderation state change).
	if err := account.Unlink(tx, "ideas", []string{"id"}, []string{"updated_at"}, nil,
		"id IN (SELECT idea_id FROM idea_supports WHERE participant_id = ?) OR id IN (SELECT idea_id FROM idea_comments WHERE author_id = ?)"+
			" OR id IN (SELECT m.target_id FROM moderation_items m JOIN moderation_reports r ON r.item_id = m.id WHERE m.kind = 'idea' AND r.participant_id = ?)",
		participantID, participantID, participantID); err != nil {
		return err
	}
	if err := account.Unlink(tx, "idea_comments", []string{"id"}, []string{"created_at", "edited_at", "deleted_at"},
		map[string]any{"author_id": nil}, "author_id = ?", participantID); err != nil {
		return err
	}
	// Their ideas' images go: unlike the text, which others supported and
	// the municipality answered, a photo may show them or their home.
	var pictured []Idea
	if err := tx.Select("id, image_path").Where("author_id = ? AND image_path <> ''", participantID).Find(&pictured).Error; err != nil {
		return err
	}
	for i := range pictured {
		if err := dropImage(tx, &pictured[i]); err != nil {
			return err
		}
	}
	// A withdrawal is the author's own step in the idea's history.
	if err := account.Unlink(tx, "idea_status_changes", []string{"id"}, []string{"created_at"}, nil,
		"staff_id IS NULL AND idea_id IN (SELECT id FROM ideas WHERE author_id = ?)", participantID); err != nil {
		return err
	}
	if err := account.Unlink(tx, "ideas", []string{"id"}, []string{"created_at", "updated_at", "edited_at"},
		map[string]any{"author_id": nil}, "author_id = ?", participantID); err != nil {
		return err
	}
	return account.Unlink(tx, "idea_supports", []string{"id"}, []string{"created_at"},
		map[string]any{"participant_id": nil}, "participant_id = ?", participantID)
}
