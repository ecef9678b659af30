package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"inspraak/internal/budget"
	"inspraak/internal/consultation"
	"inspraak/internal/idea"
	"inspraak/internal/identity"
	"inspraak/internal/moderation"
	"inspraak/internal/poll"
	"inspraak/internal/responsenote"
)

type myData struct {
	Participant *identity.Participant
	Responses   []consultation.MyResponse
	Votes       []poll.MyVote
	// Budgets are the budgets they voted in online, with their choice.
	Budgets []budget.MyBallot
	Ideas   idea.Mine
	Unread  int64
	// Answers are sections of published response notes about this
	// participant's input.
	Answers []responsenote.MySection
	// Block is a moderator's block on contributing, if one is in force.
	Block *moderation.Block
	// Verdicts are moderation decisions on the participant's ideas and
	// comments.
	IdeaVerdicts    map[int64]moderation.Verdict
	CommentVerdicts map[int64]moderation.Verdict
	// ResultsOut and NoteOut say which questionnaires have published
	// results and a published response note.
	ResultsOut, NoteOut map[int64]bool
}

// IdeaVerdict is the decision on one of the participant's ideas.
func (d myData) IdeaVerdict(id int64) *moderation.Verdict {
	if v, ok := d.IdeaVerdicts[id]; ok && (v.Decision == moderation.ActReject || v.Decision == moderation.ActHide) {
		return &v
	}
	return nil
}

// CommentVerdict is the decision on one of the participant's comments.
func (d myData) CommentVerdict(id int64) *moderation.Verdict {
	if v, ok := d.CommentVerdicts[id]; ok && (v.Decision == moderation.ActReject || v.Decision == moderation.ActHide) {
		return &v
	}
	return nil
}

// Empty says whether the participant has not taken part anywhere yet.
func (d myData) Empty() bool {
	return len(d.Responses)+len(d.Votes)+len(d.Ideas.Ideas)+len(d.Ideas.Comments)+len(d.Ideas.Supports) == 0
}

// myOverview is "Mijn inspraak": everything this participant did, with
// its current status and any response from the municipality.
func (s *Server) myOverview(c *gin.Context) {
	cur := residentOf(c)
	ctx := c.Request.Context()
	d := myData{Participant: cur.Participant}
	var err error
	if d.Responses, err = s.consultations.ResponsesOf(ctx, cur.Participant.ID); err != nil {
		s.fail(c, err)
		return
	}
	ids := make([]int64, len(d.Responses))
	for i, r := range d.Responses {
		ids[i] = r.InstrumentID
	}
	if d.ResultsOut, d.NoteOut, err = s.results.Outcomes(ctx, ids); err != nil {
		s.fail(c, err)
		return
	}
	if d.Votes, err = s.polls.VotesOf(ctx, cur.Participant.ID); err != nil {
		s.fail(c, err)
		return
	}
	if d.Budgets, err = s.budgets.BallotsOf(ctx, cur.Participant.ID); err != nil {
		s.fail(c, err)
		return
	}
	if d.Ideas, err = s.ideas.MineOf(ctx, cur.Participant.ID); err != nil {
		s.fail(c, err)
		return
	}
	if d.Answers, err = s.notes.SectionsFor(ctx, cur.Participant.ID); err != nil {
		s.fail(c, err)
		return
	}
	if d.Block, err = s.moderation.Blocked(ctx, nil, cur.Participant.ID); err != nil {
		s.fail(c, err)
		return
	}
	var ideaIDs, commentIDs []int64
	for _, i := range d.Ideas.Ideas {
		ideaIDs = append(ideaIDs, i.ID)
	}
	for _, cm := range d.Ideas.Comments {
		commentIDs = append(commentIDs, cm.CommentID)
	}
	if d.IdeaVerdicts, err = s.moderation.Verdicts(ctx, moderation.KindIdea, ideaIDs); err != nil {
		s.fail(c, err)
		return
	}
	if d.CommentVerdicts, err = s.moderation.Verdicts(ctx, moderation.KindComment, commentIDs); err != nil {
		s.fail(c, err)
		return
	}
	if d.Unread, err = s.notify.UnreadCount(ctx, cur.Participant.ID); err != nil {
		s.fail(c, err)
		return
	}
	p := s.page(c, "my.title", d)
	p.Nav = "my"
	s.html(c, http.StatusOK, "my", p)
}

// myEraseConfirm explains what erasing one's data does, and asks to
// confirm.
func (s *Server) myEraseConfirm(c *gin.Context) {
	p := s.page(c, "my.erase.title", map[string]string{})
	p.Nav = "my"
	s.html(c, http.StatusOK, "my_erase", p)
}

// myErase erases the participant's data and ends their session.
func (s *Server) myErase(c *gin.Context) {
	if c.PostForm("bevestig") != "ja" {
		p := s.page(c, "my.erase.title", map[string]string{"bevestig": "my.erase.confirm_required"})
		p.Nav = "my"
		s.html(c, http.StatusUnprocessableEntity, "my_erase", p)
		return
	}
	cur := residentOf(c)
	if err := s.eraser.Erase(c.Request.Context(), cur.Participant.ID); err != nil {
		s.fail(c, err)
		return
	}
	s.setCookie(c, s.residentCookie(), "", -1)
	s.setFlash(c, "data_erased")
	c.Redirect(http.StatusSeeOther, "/")
}
