package idea

import (
	"context"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"inspraak/internal/apperror"
	"inspraak/internal/moderation"
	"inspraak/internal/moderation/screen"
	"inspraak/internal/store"
)

var forUpdate = clause.Locking{Strength: "UPDATE"}

// The moderation queue reaches ideas and comments through these targets.

type ideaTarget struct{ s *Service }

type commentTarget struct{ s *Service }

// place is where a contribution lives, for the moderator and for links.
type place struct {
	InstrumentID    int64
	InstrumentSlug  string
	InstrumentTitle string
	ProjectSlug     string
	ProjectTitle    string
	Mode            string
}

func places(tx *gorm.DB, instrumentIDs []int64) (map[int64]place, error) {
	var rows []place
	err := tx.Table("instruments").Select("instruments.id AS instrument_id, instruments.slug AS instrument_slug, "+
		"instruments.title AS instrument_title, projects.slug AS project_slug, projects.title AS project_title, idea_boards.moderation AS mode").
		Joins("JOIN projects ON projects.id = instruments.project_id").
		Joins("JOIN idea_boards ON idea_boards.instrument_id = instruments.id").
		Where("instruments.id IN ?", instrumentIDs).Scan(&rows).Error
	out := make(map[int64]place, len(rows))
	for _, r := range rows {
		out[r.InstrumentID] = r
	}
	return out, err
}

func (p place) ideaLink(id int64) string {
	return "/projecten/" + p.ProjectSlug + "/" + p.InstrumentSlug + "/ideeen/" + itoa(id)
}

func (p place) name() string { return p.ProjectTitle + " – " + p.InstrumentTitle }

func authorNames(tx *gorm.DB, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID          int64
		DisplayName string
	}
	err := tx.Table("participants").Select("id, display_name").Where("id IN ?", ids).Scan(&rows).Error
	for _, r := range rows {
		out[r.ID] = r.DisplayName
	}
	return out, err
}

func (t ideaTarget) Contents(ctx context.Context, tx *gorm.DB, ids []int64) (map[int64]*moderation.Content, error) {
	var ideas []Idea
	if err := tx.WithContext(ctx).Where("id IN ?", ids).Find(&ideas).Error; err != nil {
		return nil, err
	}
	var ins, authors []int64
	for _, i := range ideas {
		ins = append(ins, i.InstrumentID)
		if i.AuthorID != nil {
			authors = append(authors, *i.AuthorID)
		}
	}
	ps, err := places(tx, ins)
	if err != nil {
		return nil, err
	}
	names, err := authorNames(tx, authors)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]*moderation.Content, len(ideas))
	for _, i := range ideas {
		p := ps[i.InstrumentID]
		c := &moderation.Content{Kind: moderation.KindIdea, ID: i.ID, InstrumentID: i.InstrumentID, AuthorID: i.AuthorID,
			Heading: i.Title, Fields: ideaFields(i.Title, i.Description, i.Location, i.ImageAlt), State: i.Moderation, Mode: p.Mode,
			Link: p.ideaLink(i.ID), Place: p.name(), Gone: i.Status == StatusWithdrawn,
			ImagePath: i.ImagePath, ImageAlt: i.ImageAlt}
		if i.AuthorID != nil {
			c.AuthorName = names[*i.AuthorID]
		}
		out[i.ID] = c
	}
	return out, nil
}

func (t ideaTarget) SetState(ctx context.Context, tx *gorm.DB, id int64, state string) (string, error) {
	i, err := t.s.lockIdea(tx.WithContext(ctx), id)
	if err != nil {
		return "", err
	}
	if i.Moderation == state {
		return state, nil
	}
	if err := bumpList(tx, i.InstrumentID); err != nil {
		return "", err
	}
	if err := tx.Model(&Idea{}).Where("id = ?", id).Updates(map[string]any{"moderation": state, "updated_at": t.s.now()}).Error; err != nil {
		return "", err
	}
	if state == Rejected {
		// A rejected idea's image goes (it may be why it was rejected);
		// restoring the idea later does not bring it back.
		if err := dropImage(tx, i); err != nil {
			return "", err
		}
	}
	return i.Moderation, nil
}

func (t ideaTarget) Redact(ctx context.Context, tx *gorm.DB, id int64, field, fragment string) (int, error) {
	col := map[string]string{"title": "title", "description": "description", "location": "location", "image_alt": "image_alt"}[field]
	if col == "" {
		return 0, apperror.Invalid.WithFields(map[string]string{"veld": "moderation.error.field"})
	}
	i, err := t.s.lockIdea(tx.WithContext(ctx), id)
	if err != nil {
		return 0, err
	}
	text := map[string]string{"title": i.Title, "description": i.Description, "location": i.Location, "image_alt": i.ImageAlt}[field]
	n := strings.Count(text, fragment)
	if n == 0 {
		return 0, nil
	}
	if err := bumpList(tx, i.InstrumentID); err != nil {
		return 0, err
	}
	return n, tx.Model(&Idea{}).Where("id = ?", id).Update(col, strings.ReplaceAll(text, fragment, moderation.Redacted)).Error
}

func (t commentTarget) Contents(ctx context.Context, tx *gorm.DB, ids []int64) (map[int64]*moderation.Content, error) {
	var cs []Comment
	if err := tx.WithContext(ctx).Where("id IN ?", ids).Find(&cs).Error; err != nil {
		return nil, err
	}
	var ideaIDs, authors []int64
	for _, c := range cs {
		ideaIDs = append(ideaIDs, c.IdeaID)
		if c.AuthorID != nil {
			authors = append(authors, *c.AuthorID)
		}
	}
	var ideas []Idea
	if len(ideaIDs) > 0 {
		if err := tx.Select("id, instrument_id, title").Where("id IN ?", ideaIDs).Find(&ideas).Error; err != nil {
			return nil, err
		}
	}
	byID := map[int64]Idea{}
	var ins []int64
	for _, i := range ideas {
		byID[i.ID] = i
		ins = append(ins, i.InstrumentID)
	}
	ps, err := places(tx, ins)
	if err != nil {
		return nil, err
	}
	names, err := authorNames(tx, authors)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]*moderation.Content, len(cs))
	for _, c := range cs {
		i := byID[c.IdeaID]
		p := ps[i.InstrumentID]
		mc := &moderation.Content{Kind: moderation.KindComment, ID: c.ID, InstrumentID: i.InstrumentID, AuthorID: c.AuthorID,
			Heading: i.Title, Fields: []screen.Field{{Name: "body", Text: c.Body}}, State: c.Moderation, Mode: p.Mode,
			Link: p.ideaLink(i.ID) + "#reactie-" + itoa(c.ID), Place: p.name(), Gone: c.Deleted()}
		if c.AuthorID != nil {
			mc.AuthorName = names[*c.AuthorID]
		}
		out[c.ID] = mc
	}
	return out, nil
}

// SetState moves a comment between visible and not, keeping the idea's
// comment count to the visible ones. A reply that becomes visible for the
// first time (pre-moderation) is when its addressee hears of it.
func (t commentTarget) SetState(ctx context.Context, tx *gorm.DB, id int64, state string) (string, error) {
	var c Comment
	q := tx.WithContext(ctx).Where("id = ?", id)
	if t.s.db.Dialect == store.Postgres {
		q = q.Clauses(forUpdate)
	}
	if err := q.Take(&c).Error; err != nil {
		return "", store.MapError(err)
	}
	if c.Moderation == state {
		return state, nil
	}
	if err := tx.Model(&Comment{}).Where("id = ?", id).Update("moderation", state).Error; err != nil {
		return "", err
	}
	if !c.Deleted() {
		delta := 0
		if state == Approved {
			delta = 1
		} else if c.Moderation == Approved {
			delta = -1
		}
		if delta != 0 {
			if err := tx.Model(&Idea{}).Where("id = ?", c.IdeaID).Update("comment_count", gorm.Expr("comment_count + ?", delta)).Error; err != nil {
				return "", err
			}
		}
	}
	if state == Approved && c.PendingReplyTo != nil && !c.Deleted() {
		if err := tx.Model(&Comment{}).Where("id = ?", id).Update("pending_reply_to", nil).Error; err != nil {
			return "", err
		}
		var to Comment
		if err := tx.Select("id, author_id").Where("id = ?", *c.PendingReplyTo).Take(&to).Error; err == nil &&
			to.AuthorID != nil && (c.AuthorID == nil || *to.AuthorID != *c.AuthorID) {
			var i Idea
			if err := tx.Where("id = ?", c.IdeaID).Take(&i).Error; err != nil {
				return "", err
			}
			if err := t.s.notify(ctx, tx, *to.AuthorID, Event{Kind: "reply", Key: "notify.reply", Params: []string{i.Title},
				Link: ideaLink(tx, &i) + "#reactie-" + itoa(c.ID)}); err != nil {
				return "", err
			}
		}
	}
	return c.Moderation, nil
}

func (t commentTarget) Redact(ctx context.Context, tx *gorm.DB, id int64, field, fragment string) (int, error) {
	if field != "body" {
		return 0, apperror.Invalid.WithFields(map[string]string{"veld": "moderation.error.field"})
	}
	var c Comment
	q := tx.WithContext(ctx).Where("id = ?", id)
	if t.s.db.Dialect == store.Postgres {
		q = q.Clauses(forUpdate)
	}
	if err := q.Take(&c).Error; err != nil {
		return 0, store.MapError(err)
	}
	n := strings.Count(c.Body, fragment)
	if n == 0 {
		return 0, nil
	}
	return n, tx.Model(&Comment{}).Where("id = ?", id).Update("body", strings.ReplaceAll(c.Body, fragment, moderation.Redacted)).Error
}
