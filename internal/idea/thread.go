package idea

import (
	"context"

	"gorm.io/gorm"

	"inspraak/internal/store"
)

// CommentOrder is the order of an idea's top-level comments. Replies
// always read oldest first under their comment: they are a conversation.
type CommentOrder string

// Comment orders; the values are the ones in the page's address.
const (
	CommentsOldest CommentOrder = "oud"
	CommentsNewest CommentOrder = "nieuw"
)

// CommentsPerPage is how many top-level comments (each with all its
// replies) one page of a thread shows.
const CommentsPerPage = 50

// CommentQuery selects a page of an idea's thread.
type CommentQuery struct {
	Order CommentOrder
	Page  int // from 1; past the last page is the last page
}

// CommentPage is one page of an idea's thread as a viewer sees it.
type CommentPage struct {
	// Comments are the page's top-level comments, each with its replies.
	Comments []*Comment
	Order    CommentOrder
	Page     int
	Pages    int // at least 1
	// Threads is how many top-level comments the viewer sees in all.
	Threads int64
}

// commentOrder returns a known order, oldest first by default.
func commentOrder(o CommentOrder) CommentOrder {
	if o == CommentsNewest {
		return o
	}
	return CommentsOldest
}

type commentRow struct {
	Comment
	AuthorName string
}

// seenComments selects the comments of an idea that a viewer sees:
// approved ones, those a moderator hid (as placeholders), and all of the
// viewer's own (also those waiting for or refused by a moderator).
func seenComments(db *gorm.DB, ideaID, viewerID int64) *gorm.DB {
	return db.Model(&Comment{}).
		Where("idea_comments.idea_id = ? AND (idea_comments.moderation IN ? OR idea_comments.author_id = ?)", ideaID,
			[]string{Approved, Hidden}, viewerID)
}

func withAuthorName(db *gorm.DB) *gorm.DB {
	return db.Select("idea_comments.*, COALESCE(participants.display_name, '') AS author_name").
		Joins("LEFT JOIN participants ON participants.id = idea_comments.author_id")
}

// seenAs turns a row into the comment a viewer sees: a comment hidden by a
// moderator stays as a placeholder without text or name, so the replies
// under it keep their place.
func seenAs(r commentRow, viewerID int64) *Comment {
	c := r.Comment
	c.AuthorName = r.AuthorName
	if c.Moderation != Approved && (c.AuthorID == nil || *c.AuthorID != viewerID) {
		c.Body, c.AuthorName = "", ""
	}
	return &c
}

// Comments returns one page of an idea's thread: CommentsPerPage
// top-level comments in the asked order, each with all its replies
// (oldest first), so a reply is always on the page of the comment it
// answers. A viewer sees approved comments, all their own (also those
// waiting for or refused by a moderator), and a placeholder without text
// or name for a comment a moderator hid; a comment its author deleted
// comes as a placeholder too (no text). A page reads only its own
// comments, however long the thread.
func (s *Service) Comments(ctx context.Context, ideaID, viewerID int64, q CommentQuery) (CommentPage, error) {
	db := s.db.WithContext(ctx)
	p := CommentPage{Order: commentOrder(q.Order), Page: q.Page, Pages: 1}
	if err := seenComments(db, ideaID, viewerID).Where("idea_comments.parent_id IS NULL").Count(&p.Threads).Error; err != nil {
		return p, err
	}
	if n := int((p.Threads + CommentsPerPage - 1) / CommentsPerPage); n > 1 {
		p.Pages = n
	}
	p.Page = min(max(p.Page, 1), p.Pages)
	if p.Threads == 0 {
		return p, nil
	}
	order := "idea_comments.created_at, idea_comments.id"
	if p.Order == CommentsNewest {
		order = "idea_comments.created_at DESC, idea_comments.id DESC"
	}
	var tops []commentRow
	if err := withAuthorName(seenComments(db, ideaID, viewerID)).Where("idea_comments.parent_id IS NULL").
		Order(order).Limit(CommentsPerPage).Offset((p.Page - 1) * CommentsPerPage).Scan(&tops).Error; err != nil {
		return p, err
	}
	ids := make([]int64, len(tops))
	byID := make(map[int64]*Comment, len(tops))
	for n, r := range tops {
		c := seenAs(r, viewerID)
		ids[n], byID[c.ID] = c.ID, c
		p.Comments = append(p.Comments, c)
	}
	var replies []commentRow
	if err := withAuthorName(seenComments(db, ideaID, viewerID)).Where("idea_comments.parent_id IN ?", ids).
		Order("idea_comments.created_at, idea_comments.id").Scan(&replies).Error; err != nil {
		return p, err
	}
	for _, r := range replies {
		c := seenAs(r, viewerID)
		if top := byID[*c.ParentID]; top != nil {
			top.Replies = append(top.Replies, c)
		}
	}
	return p, nil
}

// ThreadComment returns one comment of an idea as the viewer sees it on
// the idea's page (see Comments); not found when the viewer does not see
// it there.
func (s *Service) ThreadComment(ctx context.Context, ideaID, commentID, viewerID int64) (*Comment, error) {
	var r commentRow
	if err := withAuthorName(seenComments(s.db.WithContext(ctx), ideaID, viewerID)).Where("idea_comments.id = ?", commentID).
		Take(&r).Error; err != nil {
		return nil, store.MapError(err)
	}
	c := seenAs(r, viewerID)
	if c.ParentID != nil {
		// A reply shows under its comment; without it, it does not show.
		if _, err := s.ThreadComment(ctx, ideaID, *c.ParentID, viewerID); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// CommentPageOf returns the page of the thread, in the given order, on
// which the viewer finds a comment: a reply is on its comment's page.
func (s *Service) CommentPageOf(ctx context.Context, ideaID, commentID, viewerID int64, order CommentOrder) (int, error) {
	c, err := s.ThreadComment(ctx, ideaID, commentID, viewerID)
	if err != nil {
		return 0, err
	}
	top := c
	if c.ParentID != nil {
		if top, err = s.ThreadComment(ctx, ideaID, *c.ParentID, viewerID); err != nil {
			return 0, err
		}
	}
	// Compared with the stored time itself, not a Go time.Time: SQLite
	// keeps times as text.
	at := "(SELECT t.created_at FROM idea_comments t WHERE t.id = ?)"
	before := "(idea_comments.created_at < " + at + " OR idea_comments.created_at = " + at + " AND idea_comments.id < ?)"
	if commentOrder(order) == CommentsNewest {
		before = "(idea_comments.created_at > " + at + " OR idea_comments.created_at = " + at + " AND idea_comments.id > ?)"
	}
	var n int64
	if err := seenComments(s.db.WithContext(ctx), ideaID, viewerID).Where("idea_comments.parent_id IS NULL").
		Where(before, top.ID, top.ID, top.ID).Count(&n).Error; err != nil {
		return 0, err
	}
	return int(n/CommentsPerPage) + 1, nil
}
