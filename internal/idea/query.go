package idea

import (
	"cmp"
	"context"
	"slices"
	"strings"
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
	// Search keeps only ideas whose title or text matches these words
	// (see SearchTerm); "" searches nothing.
	Search string
	// Until pins a walk through the pages to the ideas that existed when
	// it began (Page.Until of its first page): ideas with a higher id,
	// newer ones, are left out, so they cannot move the walk's pages.
	Until int64
	// Version is the board's list_version as the caller read it with the
	// board (0: List reads it).
	Version int64
}

// Page is one page of ideas and how many match in all.
type Page struct {
	Ideas []Idea
	Total int64
	Page  int
	Pages int
	// Until is the highest idea id the walk includes, for the links to
	// the other pages (Query.Until).
	Until int64
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
// idea row: no query per idea) and author names (one join). The order of
// the board's matching ideas comes from the instance's kept lists
// (listcache.go), rebuilt only when the board's list version moved (or,
// for the most-supported order, once it is a second old); a page then
// loads only its own rows, so its cost does not grow with the board.
func (s *Service) List(ctx context.Context, instrumentID int64, q Query) (Page, error) {
	version := q.Version
	if version == 0 {
		if err := s.db.WithContext(ctx).Model(&Board{}).Select("list_version").
			Where("instrument_id = ?", instrumentID).Scan(&version).Error; err != nil {
			return Page{}, err
		}
	}
	ordered, newest, err := s.ordered(ctx, instrumentID, version, q)
	if err != nil {
		return Page{}, err
	}
	var match map[int64]struct{}
	if q.Search != "" {
		words := searchWords(q.Search)
		k := listKey{board: instrumentID, kind: "search", all: q.All, term: strings.Join(words, " ")}
		e, err := s.lists.get(k, version, 0, func() (*listEntry, error) { return s.search(ctx, instrumentID, words, q.All) })
		if err != nil {
			return Page{}, err
		}
		match = e.set
	}
	until := q.Until
	if until <= 0 || until > newest {
		until = newest
	}
	filtered := match != nil || until < newest
	keep := func(id int64) bool {
		if id > until {
			return false
		}
		_, ok := match[id]
		return ok || match == nil
	}
	var total int
	if !filtered {
		total = len(ordered)
	} else {
		for _, id := range ordered {
			if keep(id) {
				total++
			}
		}
	}
	p := Page{Total: int64(total), Until: until}
	p.Pages = (total + PerPage - 1) / PerPage
	p.Page = max(1, q.Page)
	if p.Pages > 0 && p.Page > p.Pages {
		p.Page = p.Pages
	}
	from := (p.Page - 1) * PerPage
	var ids []int64
	if !filtered {
		ids = ordered[min(from, len(ordered)):min(from+PerPage, len(ordered))]
	} else {
		n := 0
		for _, id := range ordered {
			if !keep(id) {
				continue
			}
			if n >= from {
				ids = append(ids, id)
				if len(ids) == PerPage {
					break
				}
			}
			n++
		}
	}
	if len(ids) == 0 {
		return p, nil
	}
	at := make(map[int64]int, len(ids))
	for i, id := range ids {
		at[id] = i
	}
	var found []ideaRow
	err = s.db.WithContext(ctx).Model(&Idea{}).Select("ideas.*, COALESCE(participants.display_name, '') AS author_name").
		Joins("LEFT JOIN participants ON participants.id = ideas.author_id").Where("ideas.id IN ?", ids).Scan(&found).Error
	if err != nil {
		return p, err
	}
	p.Ideas = make([]Idea, len(ids))
	for _, r := range found {
		if !q.All && !r.Public() {
			continue // changed after this page read the board's version
		}
		i := at[r.ID]
		p.Ideas[i] = r.Idea
		p.Ideas[i].AuthorName = r.AuthorName
	}
	kept := p.Ideas[:0]
	for _, i := range p.Ideas {
		if i.ID != 0 {
			kept = append(kept, i)
		}
	}
	p.Ideas = kept
	return p, nil
}

// ordered returns the ids of the board's matching ideas in the query's
// order, from the kept lists, and the highest of them.
func (s *Service) ordered(ctx context.Context, instrumentID, version int64, q Query) ([]int64, int64, error) {
	k := listKey{board: instrumentID, kind: q.Sort, all: q.All, status: q.Status}
	if q.ThemeID != nil {
		k.theme = *q.ThemeID
	}
	var maxAge time.Duration
	switch q.Sort {
	case SortNewest:
	case SortSupport:
		maxAge = supportListAge
	default:
		// A random order is one of RandomOrders permutations of the
		// list by id, each made once per version from that list.
		base := k
		base.kind = "id"
		k.kind, k.bucket = SortRandom, randomBucket(q.Seed)
		e, err := s.lists.get(k, version, 0, func() (*listEntry, error) {
			b, err := s.lists.get(base, version, 0, func() (*listEntry, error) { return s.readKeys(ctx, instrumentID, q, "id") })
			if err != nil {
				return nil, err
			}
			ids := slices.Clone(b.ids)
			a, m := randomOrder(uint64(k.bucket))
			key := func(id int64) int64 { return ((id + a) * m) % randomPrime }
			slices.SortFunc(ids, func(x, y int64) int {
				if c := cmp.Compare(key(x), key(y)); c != 0 {
					return c
				}
				return cmp.Compare(x, y)
			})
			return &listEntry{ids: ids, maxID: b.maxID}, nil
		})
		if err != nil {
			return nil, 0, err
		}
		return e.ids, e.maxID, nil
	}
	e, err := s.lists.get(k, version, maxAge, func() (*listEntry, error) { return s.readKeys(ctx, instrumentID, q, q.Sort) })
	if err != nil {
		return nil, 0, err
	}
	return e.ids, e.maxID, nil
}

// randomBucket maps a visitor's seed to one of the shared random orders.
// RandomBucket is which of the RandomOrders kept random orders a seed
// gives: visitors in one bucket see the same order (the web layer keys
// its kept pages by it).
func RandomBucket(seed uint64) int { return randomBucket(seed) }

func randomBucket(seed uint64) int {
	a, m := randomOrder(seed)
	return int((uint64(a) ^ uint64(m)) % RandomOrders)
}

// readKeys reads the ids and sort keys of the board's matching ideas in
// one narrow query (the partial index holds them all) and orders them.
func (s *Service) readKeys(ctx context.Context, instrumentID int64, q Query, by string) (*listEntry, error) {
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
	// Only the columns the order needs: parsing timestamps is most of
	// the cost on SQLite.
	cols := "ideas.id"
	switch by {
	case SortNewest:
		cols += ", ideas.created_at"
	case SortSupport:
		cols += ", ideas.support_count"
	}
	var keys []sortKey
	if err := base.Select(cols).Scan(&keys).Error; err != nil {
		return nil, err
	}
	order(keys, by)
	e := &listEntry{ids: make([]int64, len(keys))}
	for i, k := range keys {
		e.ids[i], e.maxID = k.ID, max(e.maxID, k.ID)
	}
	return e, nil
}

type sortKey struct {
	ID           int64
	SupportCount int64
	CreatedAt    time.Time
}

// order sorts the keys; every order ends on the id, so it is total and
// paging is stable.
func order(keys []sortKey, by string) {
	switch by {
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
		slices.SortFunc(keys, func(x, y sortKey) int { return cmp.Compare(x.ID, y.ID) })
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
