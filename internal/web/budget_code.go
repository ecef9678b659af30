package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"inspraak/internal/apperror"
	"inspraak/internal/budget"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/ratelimit"
)

// The letter code page (docs/architecture.md, "Channels: letters, stand,
// paper"): a resident types the code of their letter at /stemcode, without
// DigiD. The code finds its budget (budget.RedeemCode); the voter it
// stands for is kept in a signed, short-lived cookie for that budget
// (the register token and the wijk; never the code, never a BSN), and the
// ordinary voting pages take it from there (budgetChannelVoterHook).
// Attempts are limited per client address with the login limit: typing a
// code is logging in by letter. A code does not tell whether it exists
// for another budget.

// codeSessionTTL is how long a redeemed code lets someone vote.
const codeSessionTTL = time.Hour

// channelSession is the voter of a code or kiosk session.
type channelSession struct {
	Channel budget.Channel
	Token   string
	Wijk    string
	// Resident and AgeBand: the stand's BRP facts, when no register
	// decided (Cast judges residents-only and minimum age on them).
	Resident *bool
	AgeBand  string
	Expires  time.Time
}

func channelCookie(ch budget.Channel, instrumentID int64) string {
	if ch == budget.ChannelStand {
		return "inspraak_kiosk"
	}
	return "inspraak_stemcode_" + strconv.FormatInt(instrumentID, 10)
}

func (s *Server) channelSig(instrumentID int64, payload string) string {
	m := hmac.New(sha256.New, s.cfg.SessionKey)
	m.Write([]byte("budget-channel|" + strconv.FormatInt(instrumentID, 10) + "|" + payload))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// writeChannelSession sets the session cookie. The kiosk's cookie goes
// with every page of the site (staff pages look for it); a code's only
// with its budget's pages.
func (s *Server) writeChannelSession(c *gin.Context, instrumentID int64, path string, cs channelSession) {
	resident := ""
	if cs.Resident != nil {
		resident = strconv.FormatBool(*cs.Resident)
	}
	payload := strings.Join([]string{"s1", strconv.FormatInt(instrumentID, 10), string(cs.Channel), cs.Token, url.QueryEscape(cs.Wijk),
		resident, url.QueryEscape(cs.AgeBand), strconv.FormatInt(cs.Expires.Unix(), 10)}, "|")
	val := base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + s.channelSig(instrumentID, payload)
	if cs.Channel == budget.ChannelStand {
		path = "/"
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: channelCookie(cs.Channel, instrumentID), Value: val, Path: path,
		MaxAge: int(time.Until(cs.Expires).Seconds()) + 1, HttpOnly: true, Secure: s.cfg.BaseURL.Scheme == "https", SameSite: http.SameSiteLaxMode})
}

// readChannelSession reads a code (or kiosk) session; expired, tampered
// or another budget's cookies are none. For the kiosk, instrumentID 0
// reads whichever budget it is for.
func (s *Server) readChannelSession(c *gin.Context, ch budget.Channel, instrumentID int64) (int64, channelSession, bool) {
	raw, err := c.Cookie(channelCookie(ch, instrumentID))
	if err != nil || raw == "" || len(raw) > 2048 {
		return 0, channelSession{}, false
	}
	enc, sig, ok := strings.Cut(raw, ".")
	if !ok {
		return 0, channelSession{}, false
	}
	pb, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return 0, channelSession{}, false
	}
	f := strings.Split(string(pb), "|")
	if len(f) != 8 || f[0] != "s1" || budget.Channel(f[2]) != ch {
		return 0, channelSession{}, false
	}
	id, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil || (instrumentID != 0 && id != instrumentID) || !hmac.Equal([]byte(sig), []byte(s.channelSig(id, string(pb)))) {
		return 0, channelSession{}, false
	}
	exp, _ := strconv.ParseInt(f[7], 10, 64)
	cs := channelSession{Channel: ch, Token: f[3], Expires: time.Unix(exp, 0)}
	if !s.now().Before(cs.Expires) || cs.Token == "" {
		return 0, channelSession{}, false
	}
	cs.Wijk, _ = url.QueryUnescape(f[4])
	if f[5] != "" {
		r := f[5] == "true"
		cs.Resident = &r
	}
	cs.AgeBand, _ = url.QueryUnescape(f[6])
	return id, cs, true
}

func (s *Server) clearChannelSession(c *gin.Context, ch budget.Channel, instrumentID int64, path string) {
	if ch == budget.ChannelStand {
		path = "/"
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: channelCookie(ch, instrumentID), Value: "", Path: path, MaxAge: -1,
		HttpOnly: true, Secure: s.cfg.BaseURL.Scheme == "https", SameSite: http.SameSiteLaxMode})
}

func (cs channelSession) voter() budget.Voter {
	v := budget.Voter{Channel: cs.Channel, Token: cs.Token, Wijk: cs.Wijk}
	v.Person = instrument.Person{LoggedIn: true, Means: identity.DigiD, Resident: cs.Resident, AgeBand: cs.AgeBand}
	return v
}

func init() {
	// The kiosk wins over a code in the same browser: it is the device of
	// a stand, where the kiosk session is the one that counts.
	budgetChannelVoterHook = func(s *Server, c *gin.Context, instrumentID int64) (budget.Voter, bool) {
		if _, cs, ok := s.readChannelSession(c, budget.ChannelStand, instrumentID); ok {
			return cs.voter(), true
		}
		if _, cs, ok := s.readChannelSession(c, budget.ChannelCode, instrumentID); ok {
			return cs.voter(), true
		}
		return budget.Voter{}, false
	}
	// A cast ballot ends the code or kiosk session that cast it: the
	// register refuses a second ballot anyway, and a shared device must
	// not stay someone's.
	budgetCastDoneHook = func(s *Server, c *gin.Context, instrumentID int64, v budget.Voter) {
		switch v.Channel {
		case budget.ChannelCode, budget.ChannelStand:
			s.clearChannelSession(c, v.Channel, instrumentID, s.budgetPathOf(c, instrumentID))
		}
	}
}

// budgetPathOf is the public address of a budget by its instrument id
// ("/" when it cannot be found).
func (s *Server) budgetPathOf(c *gin.Context, instrumentID int64) string {
	in, _, err := s.instruments.GetPublicByID(c.Request.Context(), instrumentID, instrument.KindBudget)
	if err != nil {
		return "/"
	}
	p, err := s.projects.Get(c.Request.Context(), in.ProjectID)
	if err != nil {
		return "/"
	}
	return budgetURL(p, in)
}

// budgetChannelRoutes registers the letter, stand and paper pages.
func (s *Server) budgetChannelRoutes(e *gin.Engine, staff *gin.RouterGroup) {
	e.GET(budget.CodePath, s.codePage)
	e.POST(budget.CodePath, s.codeRedeem)
	e.POST("/kiosk/stoppen", s.kioskStop)
	staff.GET("/stembureau", s.requireStaff(identity.PermBudgetStand), s.standList)
	stand := staff.Group("/begrotingen/:iid", s.requireStaff(identity.PermBudgetStand))
	stand.GET("/stembureau", s.standPage)
	stand.POST("/stembureau", s.standLookup)
	stand.GET("/papier", s.paperBatches)
	stand.POST("/papier", s.paperOpen)
	stand.GET("/papier/:bid", s.paperBatch)
	stand.POST("/papier/:bid/stembiljetten", s.paperAdd)
	stand.POST("/papier/:bid/stembiljetten/:ballot/verwijderen", s.paperRemove)
	stand.POST("/papier/:bid/ongeldig", s.paperInvalid)
	stand.POST("/papier/:bid/indienen", s.paperSubmit)
	stand.POST("/papier/:bid/controleren", s.paperCheck)
	stand.POST("/papier/:bid/terugsturen", s.paperReturn)
	stand.POST("/papier/:bid/verbeteren", s.paperCorrect)
	letters := staff.Group("/begrotingen/:iid", s.requireStaff(identity.PermEdit))
	letters.GET("/kiezers", s.lettersPage)
	letters.POST("/kiezers", s.registerUpload)
	letters.POST("/kiezers/brieven", s.lettersDownload)
}

// codePageData is the code page's data.
type codePageData struct {
	Code   string
	Errors map[string]string
	Error  string // a refusal that is not about the typed code
}

func (s *Server) codePage(c *gin.Context) {
	s.renderCode(c, http.StatusOK, codePageData{})
}

func (s *Server) renderCode(c *gin.Context, status int, d codePageData) {
	p := s.page(c, "budget.code_page.title", d)
	p.Nav = "projects"
	s.html(c, status, "budget_code", p)
}

func (s *Server) codeRedeem(c *gin.Context) {
	typed := c.PostForm("code")
	if d, ok := s.take(c, ratelimit.Login, ratelimit.Who{Address: c.ClientIP()}); !ok {
		s.renderLimited(c, ratelimit.Login, d, []retryField{{Name: "code", Label: "budget.code_page.code.label"}})
		return
	}
	d := codePageData{Code: typed}
	id, v, err := s.budgets.RedeemCode(c.Request.Context(), typed)
	if err != nil {
		e, ok := apperror.As(err)
		if !ok {
			s.fail(c, err)
			return
		}
		status := http.StatusUnprocessableEntity
		switch {
		case len(e.Fields) > 0:
			d.Errors = e.Fields
		case e.Code == apperror.Conflict || e.Code == apperror.Closed:
			status = http.StatusConflict
			d.Error = s.cat.T(langOf(c), e.Key, e.Args...)
		case e.Code == apperror.NotFound:
			d.Errors = map[string]string{"code": "budget.code.unknown"}
		default:
			d.Error = s.cat.T(langOf(c), e.Key, e.Args...)
		}
		s.renderCode(c, status, d)
		return
	}
	path := s.budgetPathOf(c, id)
	s.writeChannelSession(c, id, path, channelSession{Channel: budget.ChannelCode, Token: v.Token, Wijk: v.Wijk,
		Expires: s.now().Add(codeSessionTTL)})
	c.Redirect(http.StatusSeeOther, path)
}
