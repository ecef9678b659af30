package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

// The basket is the resident's choice while they put it together: a
// signed cookie per budget, not a table. Each add/remove is a form post
// that reads the basket, asks budget.Check about the new one and stores
// it only when it passes, so a refused add leaves the basket exactly as
// it was. The cookie is bound to the voter (basketKey: the participant,
// or the code/kiosk token) and to the budget, so a basket left in a shared
// browser is not someone else's, and cannot be carried to another
// budget; its content is only ever a proposal: the ballot is checked
// again in Cast's transaction.

// basketLine is one plan in the basket (points 1 for knapsack/approval).
type basketLine struct {
	PlanID int64
	Points int
}

// basket is the choice in progress.
type basket struct {
	// Wijk is the wijk the resident declared (wijk_source declared), "" if
	// none was asked.
	Wijk  string
	Lines []basketLine
	// Set: the basket came from the voter's cookie (an empty one too), so
	// a stored ballot is not put back into it.
	Set bool
}

// maxBasketLines bounds what a cookie can hold (and what a crafted one
// makes the server read).
const maxBasketLines = 200

// basketCookie names the basket cookie of one budget.
func basketCookie(instrumentID int64) string {
	return "inspraak_mandje_" + strconv.FormatInt(instrumentID, 10)
}

func (s *Server) basketSig(instrumentID int64, payload string) string {
	m := hmac.New(sha256.New, s.cfg.SessionKey)
	m.Write([]byte("budget-basket|" + strconv.FormatInt(instrumentID, 10) + "|" + payload))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// readBasket returns the basket of this voter for this budget; a missing,
// tampered or someone else's cookie is an empty basket.
func (s *Server) readBasket(c *gin.Context, instrumentID int64, voterKey string) basket {
	raw, err := c.Cookie(basketCookie(instrumentID))
	if err != nil || raw == "" || len(raw) > 4096 {
		return basket{}
	}
	enc, sig, ok := strings.Cut(raw, ".")
	if !ok {
		return basket{}
	}
	pb, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return basket{}
	}
	payload := string(pb)
	if !hmac.Equal([]byte(sig), []byte(s.basketSig(instrumentID, payload))) {
		return basket{}
	}
	parts := strings.Split(payload, "|")
	if len(parts) != 4 || parts[0] != "b1" || parts[1] != voterKey {
		return basket{}
	}
	b := basket{Set: true}
	b.Wijk, _ = url.QueryUnescape(parts[2])
	if parts[3] != "" {
		for _, l := range strings.Split(parts[3], ",") {
			id, pts, _ := strings.Cut(l, ":")
			pid, err1 := strconv.ParseInt(id, 10, 64)
			n, err2 := strconv.Atoi(pts)
			if err1 != nil || err2 != nil || len(b.Lines) >= maxBasketLines {
				return basket{}
			}
			b.Lines = append(b.Lines, basketLine{PlanID: pid, Points: n})
		}
	}
	return b
}

// writeBasket stores the basket for the voter; path is the budget's
// address, so the cookie goes only with the budget's own pages.
func (s *Server) writeBasket(c *gin.Context, instrumentID int64, voterKey, path string, b basket) {
	var lines []string
	for _, l := range b.Lines {
		lines = append(lines, strconv.FormatInt(l.PlanID, 10)+":"+strconv.Itoa(l.Points))
	}
	payload := "b1|" + voterKey + "|" + url.QueryEscape(b.Wijk) + "|" + strings.Join(lines, ",")
	val := base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + s.basketSig(instrumentID, payload)
	http.SetCookie(c.Writer, &http.Cookie{Name: basketCookie(instrumentID), Value: val, Path: path, MaxAge: 30 * 24 * 3600,
		HttpOnly: true, Secure: s.cfg.BaseURL.Scheme == "https", SameSite: http.SameSiteLaxMode})
}

// clearBasket removes the basket once the ballot is cast.
func (s *Server) clearBasket(c *gin.Context, instrumentID int64, path string) {
	http.SetCookie(c.Writer, &http.Cookie{Name: basketCookie(instrumentID), Value: "", Path: path, MaxAge: -1,
		HttpOnly: true, Secure: s.cfg.BaseURL.Scheme == "https", SameSite: http.SameSiteLaxMode})
}

// has reports whether the plan is in the basket.
func (b basket) has(planID int64) bool {
	return slices.ContainsFunc(b.Lines, func(l basketLine) bool { return l.PlanID == planID })
}

// points is the plan's points in the basket (0 when not in it).
func (b basket) points(planID int64) int {
	for _, l := range b.Lines {
		if l.PlanID == planID {
			return l.Points
		}
	}
	return 0
}

// with returns a copy with the plan added (or its points set).
func (b basket) with(planID int64, points int) basket {
	out := basket{Wijk: b.Wijk}
	found := false
	for _, l := range b.Lines {
		if l.PlanID == planID {
			l.Points, found = points, true
		}
		out.Lines = append(out.Lines, l)
	}
	if !found {
		out.Lines = append(out.Lines, basketLine{PlanID: planID, Points: points})
	}
	return out
}

// without returns a copy without the plan.
func (b basket) without(planID int64) basket {
	out := basket{Wijk: b.Wijk}
	for _, l := range b.Lines {
		if l.PlanID != planID {
			out.Lines = append(out.Lines, l)
		}
	}
	return out
}
