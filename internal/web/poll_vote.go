package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"

	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/poll"
	"inspraak/internal/project"
	"inspraak/internal/ratelimit"
)

// instrumentView is what the project page and instrument pages show of an
// instrument: its state and rules in plain words.
type instrumentView struct {
	instrument.Instrument
	State        instrument.State
	Verdict      instrument.Verdict
	URL          string
	ProjectSlug  string
	ProjectTitle string
	// ResultsURL and NoteURL lead to the published results and response
	// note, when there are (see withOutcomes).
	ResultsURL, NoteURL string
	// offered are the means of logging in this site offers (nil: all);
	// LoginChoices offers no button that leads nowhere.
	offered []identity.Means
}

// withOutcomes fills in the links to published results and response
// notes of the instruments, in one look-up for all of them.
func (s *Server) withOutcomes(ctx context.Context, views ...*instrumentView) error {
	ids := make([]int64, len(views))
	for i, v := range views {
		ids[i] = v.ID
	}
	res, notes, err := s.results.Outcomes(ctx, ids)
	if err != nil {
		return err
	}
	for _, v := range views {
		if res[v.ID] && v.Kind == instrument.KindConsultation {
			v.ResultsURL = v.URL + "/resultaten"
		}
		if notes[v.ID] {
			v.NoteURL = v.URL + "/reactienota"
		}
	}
	return nil
}

func (s *Server) viewInstrument(c *gin.Context, p *project.Project, in instrument.Instrument) instrumentView {
	now := s.now()
	return instrumentView{Instrument: in, State: in.StateIn(p.Status, now), URL: "/projecten/" + p.Slug + "/" + in.Slug,
		ProjectSlug: p.Slug, ProjectTitle: p.Title, Verdict: instrument.Eligible(&in, p.Status, instrument.PersonOf(residentOf(c)), now),
		offered: s.residentMeans()}
}

// residentMeans are the means of logging in that residents and businesses
// can use here: those configured, as the login page lists them.
func (s *Server) residentMeans() []identity.Means {
	ms := []identity.Means{}
	for _, m := range []identity.Means{identity.DigiD, identity.EHerkenning} {
		if s.identity != nil && s.identity.Configured(m) {
			ms = append(ms, m)
		}
	}
	return ms
}

type pollPageData struct {
	Project  *project.Project
	In       instrumentView
	Poll     *poll.Poll
	Mine     map[int64]bool
	HasVoted bool
	// Unlinked: the participant voted and erased their data since; the
	// page says so, never what was chosen, and offers no form.
	Unlinked bool
	Results  *poll.Results
	Error    string
	Return   string
}

// Errors puts the page's one message under the choice field, for the
// shared error summary.
func (d pollPageData) Errors() map[string]string {
	if d.Error == "" {
		return nil
	}
	return map[string]string{"keuze": d.Error}
}

// instrumentShow shows one instrument of a project.
func (s *Server) instrumentShow(c *gin.Context) {
	// A busy idea board's page for visitors without a session comes from
	// the page cache (pagecache.go) before any query.
	spot, served := s.serveKept(c)
	if served {
		return
	}
	p, in, ok := s.loadInstrument(c)
	if !ok {
		return
	}
	switch in.Kind {
	case instrument.KindPoll:
		s.pollShow(c, p, in, http.StatusOK, "")
	case instrument.KindConsultation:
		s.consultationShow(c, p, in)
	case instrument.KindIdeaBoard:
		s.boardShow(c, p, in, spot)
	case instrument.KindBudget:
		s.budgetShow(c, p, in)
	default:
		s.renderStatus(c, http.StatusNotFound, "")
	}
}

func (s *Server) loadInstrument(c *gin.Context) (*project.Project, *instrument.Instrument, bool) {
	p, err := s.projects.GetPublic(c.Request.Context(), c.Param("slug"))
	if err != nil {
		s.fail(c, err)
		return nil, nil, false
	}
	in, err := s.instruments.GetPublished(c.Request.Context(), p.ID, c.Param("instrument"))
	if err != nil {
		s.fail(c, err)
		return nil, nil, false
	}
	return p, in, true
}

func (s *Server) pollShow(c *gin.Context, p *project.Project, in *instrument.Instrument, status int, errKey string) {
	ctx := c.Request.Context()
	pl, err := s.polls.Get(ctx, in.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	d := pollPageData{Project: p, In: s.viewInstrument(c, p, *in), Poll: pl, Mine: map[int64]bool{}, Error: errKey,
		Return: c.Request.URL.Path}
	if cur := residentOf(c); cur != nil {
		mine, unlinked, err := s.polls.BallotOf(ctx, in.ID, cur.Participant.ID, cur.Participant.Subject)
		if err != nil {
			s.fail(c, err)
			return
		}
		for _, id := range mine {
			d.Mine[id] = true
		}
		d.HasVoted, d.Unlinked = len(mine) > 0, unlinked
	}
	if poll.ResultsVisible(pl, d.HasVoted || d.Unlinked, s.now()) {
		r, err := s.polls.Results(ctx, pl)
		if err != nil {
			s.fail(c, err)
			return
		}
		d.Results = &r
	}
	page := s.page(c, "", d)
	page.Title = in.Title
	page.Nav = "projects"
	s.html(c, status, "poll", page)
}

// pollVote stores a ballot. Bad input re-shows the page with the message;
// a refusal by the rules says why, never a bare 403.
func (s *Server) pollVote(c *gin.Context) {
	if s.limited(c, ratelimit.Vote) {
		return
	}
	// The hot path: one query finds the published poll by both addresses,
	// with its project's status for the rules; the project itself is
	// loaded only to re-show the page on a refusal.
	in, projectStatus, err := s.instruments.GetPublishedBySlugs(c.Request.Context(), c.Param("slug"), c.Param("instrument"))
	if err != nil {
		s.fail(c, err)
		return
	}
	if in.Kind != instrument.KindPoll {
		s.renderStatus(c, http.StatusNotFound, "")
		return
	}
	again := func(status int, key string) {
		p, err := s.projects.GetPublic(c.Request.Context(), c.Param("slug"))
		if err != nil {
			s.fail(c, err)
			return
		}
		s.pollShow(c, p, in, status, key)
	}
	var ids []int64
	for _, v := range c.PostFormArray("keuze") {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			again(http.StatusUnprocessableEntity, "poll.error.unknown_option")
			return
		}
		ids = append(ids, id)
	}
	if len(ids) > poll.MaxOptions {
		again(http.StatusUnprocessableEntity, "poll.error.too_many")
		return
	}
	cur := residentOf(c)
	rec, err := s.polls.VoteAt(c.Request.Context(), in, projectStatus, poll.Voter{
		ParticipantID: cur.Participant.ID, Subject: cur.Participant.Subject, Person: instrument.PersonOf(cur),
	}, ids)
	if s.refusedAt(c, err, "choice", func(status int, fields map[string]string) { again(status, fields["choice"]) }) {
		return
	}
	if rec.Changed {
		s.setFlash(c, "vote_changed")
	} else {
		s.setFlash(c, "vote_saved")
	}
	c.Redirect(http.StatusSeeOther, "/projecten/"+url.PathEscape(c.Param("slug"))+"/"+url.PathEscape(in.Slug)+"#uitslag")
}

// NeedsLogin reports whether logging in (again) would help.
func (v instrumentView) NeedsLogin() bool {
	switch v.Verdict.Reason {
	case "rules.login_required", "rules.loa_too_low", "rules.digid_only", "rules.eherkenning_only", "rules.residents_need_digid":
		return true
	}
	return false
}

// loginChoice is one login button a refusal offers: the means, and the
// level to ask the provider for when the rules need more than the person
// logged in with.
type loginChoice struct {
	Means string
	LoA   string
}

// LoginChoices are the login buttons that would help: the one means the
// verdict names (DigiD only, eHerkenning only, a higher level), or else
// every means the instrument's rules accept, of those this site offers.
// An instrument open to DigiD or eHerkenning shows both.
func (v instrumentView) LoginChoices() []loginChoice {
	if !v.NeedsLogin() {
		return nil
	}
	ms := v.Means()
	if v.Verdict.NeedMeans != "" {
		ms = []identity.Means{v.Verdict.NeedMeans}
	}
	var out []loginChoice
	for _, m := range ms {
		if v.offered != nil && !slices.Contains(v.offered, m) {
			continue
		}
		c := loginChoice{Means: string(m)}
		if m == v.Verdict.NeedMeans {
			c.LoA = v.Verdict.NeedLoA
		}
		out = append(out, c)
	}
	return out
}
