package idea_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"inspraak/internal/apperror"
	"inspraak/internal/idea"
	"inspraak/internal/identity"
)

// A thread of 120 comments (some posted in the same second) with replies,
// read page by page oldest first and newest first: every top-level
// comment exactly once, in order, at most 50 a page, each reply on its
// comment's page and in conversation order; CommentPageOf finds the page
// a comment or reply is on.
func TestCommentPagesInBothOrdersNeverRepeatOrSkip(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.board(t, nil)
	i := f.submit(t, b, f.person(t, 1), "Een bankje bij de vijver")
	x, y := f.person(t, 2), f.person(t, 3)
	var tops []int64 // oldest first
	replies := map[int64][]int64{}
	for n := range 120 {
		if n%3 == 0 { // three comments share each moment: the id decides
			f.now = f.now.Add(time.Minute)
		}
		c, err := f.ideas.Comment(ctx, i.ID, nil, x, fmt.Sprintf("Reactie %d", n))
		if err != nil {
			t.Fatal(err)
		}
		tops = append(tops, c.ID)
	}
	// Replies come later than every comment, to comments on the edges of
	// pages in both orders.
	for _, n := range []int{0, 49, 50, 69, 70, 119, 49} {
		f.now = f.now.Add(time.Second)
		r, err := f.ideas.Comment(ctx, i.ID, &tops[n], y, "Antwoord")
		if err != nil {
			t.Fatal(err)
		}
		replies[tops[n]] = append(replies[tops[n]], r.ID)
	}
	newest := slices.Clone(tops)
	slices.Reverse(newest)

	for _, tc := range []struct {
		order idea.CommentOrder
		want  []int64
	}{{idea.CommentsOldest, tops}, {idea.CommentsNewest, newest}, {"", tops}} {
		var got []int64
		for page := 1; page <= 3; page++ {
			p, err := f.ideas.Comments(ctx, i.ID, 0, idea.CommentQuery{Order: tc.order, Page: page})
			if err != nil {
				t.Fatal(err)
			}
			if p.Pages != 3 || p.Page != page || p.Threads != 120 {
				t.Fatalf("%q page %d: page %d of %d, %d threads", tc.order, page, p.Page, p.Pages, p.Threads)
			}
			if want := min(50, 120-(page-1)*50); len(p.Comments) != want {
				t.Fatalf("%q page %d: %d comments, want %d", tc.order, page, len(p.Comments), want)
			}
			for _, c := range p.Comments {
				got = append(got, c.ID)
				var rs []int64
				for _, r := range c.Replies {
					rs = append(rs, r.ID)
				}
				if !slices.Equal(rs, replies[c.ID]) {
					t.Fatalf("%q: replies of %d are %v, want %v", tc.order, c.ID, rs, replies[c.ID])
				}
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Fatalf("%q: pages give\n%v\nwant\n%v", tc.order, got, tc.want)
		}
	}

	// Out of range: page 0 is the first page, page 9 the last.
	if p, err := f.ideas.Comments(ctx, i.ID, 0, idea.CommentQuery{Page: 0}); err != nil || p.Page != 1 || p.Comments[0].ID != tops[0] {
		t.Fatalf("page 0: %+v %v", p.Page, err)
	}
	if p, err := f.ideas.Comments(ctx, i.ID, 0, idea.CommentQuery{Page: 9}); err != nil || p.Page != 3 || len(p.Comments) != 20 {
		t.Fatalf("page 9: page %d, %d comments, %v", p.Page, len(p.Comments), err)
	}

	for _, tc := range []struct {
		id           int64
		oldest, newe int
	}{
		{tops[0], 1, 3}, {tops[49], 1, 2}, {tops[50], 2, 2}, {tops[69], 2, 2}, {tops[70], 2, 1}, {tops[119], 3, 1},
		{replies[tops[49]][1], 1, 2}, {replies[tops[70]][0], 2, 1},
	} {
		for order, want := range map[idea.CommentOrder]int{idea.CommentsOldest: tc.oldest, idea.CommentsNewest: tc.newe} {
			got, err := f.ideas.CommentPageOf(ctx, i.ID, tc.id, 0, order)
			if err != nil || got != want {
				t.Fatalf("comment %d %q: page %d (%v), want %d", tc.id, order, got, err, want)
			}
		}
	}
}

// Paging keeps what a viewer sees: a hidden comment is a placeholder that
// keeps its replies, the viewer's own waiting comment shows to them only
// (and counts only for them), a deleted comment keeps its place without
// text.
func TestCommentPagesShowWhatTheViewerMaySee(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.board(t, nil)
	i := f.submit(t, b, f.person(t, 1), "Een bankje bij de vijver")
	x, y := f.person(t, 2), f.person(t, 3)
	hidden, err := f.ideas.Comment(ctx, i.ID, nil, x, "Iets wat niet mag.")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.ideas.Comment(ctx, i.ID, &hidden.ID, y, "Een antwoord erop."); err != nil {
		t.Fatal(err)
	}
	deleted, err := f.ideas.Comment(ctx, i.ID, nil, y, "Toch maar niet.")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.ideas.DeleteComment(ctx, deleted.ID, y); err != nil {
		t.Fatal(err)
	}
	waiting, err := f.ideas.Comment(ctx, i.ID, nil, x, "Nog niet beoordeeld.")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.Model(&idea.Comment{}).Where("id = ?", hidden.ID).Update("moderation", idea.Hidden).Error; err != nil {
		t.Fatal(err)
	}
	if err := f.db.Model(&idea.Comment{}).Where("id = ?", waiting.ID).Update("moderation", idea.Awaiting).Error; err != nil {
		t.Fatal(err)
	}

	other, err := f.ideas.Comments(ctx, i.ID, y.ParticipantID, idea.CommentQuery{Order: idea.CommentsNewest})
	if err != nil {
		t.Fatal(err)
	}
	if other.Threads != 2 || len(other.Comments) != 2 {
		t.Fatalf("another resident sees %d threads: %+v", other.Threads, other.Comments)
	}
	if d, h := other.Comments[0], other.Comments[1]; !d.Deleted() || d.Body != "" || h.ID != hidden.ID || h.Body != "" || h.AuthorName != "" || len(h.Replies) != 1 {
		t.Fatalf("placeholders: deleted %+v, hidden %+v", d, h)
	}
	own, err := f.ideas.Comments(ctx, i.ID, x.ParticipantID, idea.CommentQuery{Order: idea.CommentsNewest})
	if err != nil {
		t.Fatal(err)
	}
	if own.Threads != 3 || own.Comments[0].ID != waiting.ID || own.Comments[0].Body != "Nog niet beoordeeld." || own.Comments[2].Body != "Iets wat niet mag." {
		t.Fatalf("author sees %d threads: %+v", own.Threads, own.Comments)
	}
	if _, err := f.ideas.ThreadComment(ctx, i.ID, waiting.ID, y.ParticipantID); code(err) != apperror.NotFound {
		t.Fatalf("someone else's waiting comment: %v", err)
	}
	if n, err := f.ideas.CommentPageOf(ctx, i.ID, waiting.ID, x.ParticipantID, idea.CommentsOldest); err != nil || n != 1 {
		t.Fatalf("page of one's own waiting comment: %d %v", n, err)
	}
}

// A rejected idea's history holds the rejection with the municipality's
// reason and its date, after every earlier step.
func TestHistoryListsEveryStatusChangeWithItsReason(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.board(t, nil)
	i := f.submit(t, b, f.person(t, 1), "Een bankje bij de vijver")
	editor := identity.Actor{StaffID: f.staff, Roles: []identity.Role{identity.RoleEditor}}
	f.now = f.now.Add(24 * time.Hour)
	if err := f.ideas.SetStatus(ctx, editor, i.ID, idea.StatusUnderConsideration, "Wij kijken ernaar."); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(24 * time.Hour)
	if err := f.ideas.SetStatus(ctx, editor, i.ID, idea.StatusRejected, "Er is geen plek voor een bankje."); err != nil {
		t.Fatal(err)
	}
	h, err := f.ideas.History(ctx, i.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 2 || h[0].Status != idea.StatusUnderConsideration || h[1].Status != idea.StatusRejected ||
		h[1].Response != "Er is geen plek voor een bankje." || !h[1].CreatedAt.Equal(f.now) {
		t.Fatalf("history: %+v", h)
	}
	for st, closed := range map[idea.Status]bool{idea.StatusNew: false, idea.StatusUnderConsideration: false, idea.StatusAccepted: false,
		idea.StatusRejected: true, idea.StatusDone: true, idea.StatusWithdrawn: true} {
		if (st.SupportClosed() != "") != closed {
			t.Fatalf("%s: support closed %q", st, st.SupportClosed())
		}
	}
}
