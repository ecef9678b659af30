//go:build browser

package browsertest

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"inspraak/internal/app"
	"inspraak/internal/idea"
)

// threadIdea is the demo idea ("Regentonnen ook voor huurders", no demo
// comments) that longThread gives a thread of 120 comments: three pages.
const threadIdea = "/projecten/groen-in-de-wijk/ideeenbord/ideeen/3"

// The idea page with a long thread (a middle page oldest first, the first
// page newest first with the reply forms of a resident) and ideas the
// municipality did not accept (4) or carried out (7): no support button,
// a line that says why, the rejection's reason in the history.
func init() {
	seeds = append(seeds, longThread)
	pages = append(pages,
		page{name: "idea-long-thread", path: threadIdea + "?pagina=2", status: http.StatusOK,
			h1: "Regentonnen ook voor huurders", contains: []string{"122 reacties", "Pagina 2 van 3", "Reactie 060 in een lange draad",
				"Een antwoord op reactie 060", "Oudere reacties", "Nieuwere reacties", "Nieuwste eerst"}},
		page{name: "idea-long-thread-newest", login: resident, path: threadIdea + "?reacties=nieuw", status: http.StatusOK,
			h1: "Regentonnen ook voor huurders", contains: []string{"Pagina 1 van 3", "Reactie 119 in een lange draad", "Oudste eerst",
				"Oudere reacties", "Reageer hierop", "Reageer op dit idee"}},
		page{name: "idea-rejected", login: resident, path: "/projecten/groen-in-de-wijk/ideeenbord/ideeen/4", status: http.StatusOK,
			h1: "Losloopgebied voor honden verder weg van het speelveld", contains: []string{"Niet aangenomen",
				"De gemeente heeft dit idee niet aangenomen. Daarom kunt u het niet meer steunen.", "Lees waarom.",
				"In Noord is geen andere plek die groot genoeg is"}},
		page{name: "idea-done", path: "/projecten/groen-in-de-wijk/ideeenbord/ideeen/7", status: http.StatusOK,
			h1: "Een groen schoolplein", contains: []string{"Uitgevoerd", "Dit idee is al uitgevoerd. Daarom kunt u het niet meer steunen.",
				"Het plein is klaar!"}},
	)
}

// longThread gives threadIdea 120 comments by demo residents, an hour
// apart and after the demo's own, and two replies to comment 60.
func longThread(ctx context.Context, a *app.App) error {
	var people []int64
	if err := a.DB.WithContext(ctx).Table("participants").Order("id").Limit(6).Pluck("id", &people).Error; err != nil {
		return err
	}
	if len(people) < 2 {
		return fmt.Errorf("long thread: %d demo participants", len(people))
	}
	start := time.Now().UTC().Add(-130 * time.Hour)
	cs := make([]idea.Comment, 120)
	for n := range cs {
		cs[n] = idea.Comment{IdeaID: 3, AuthorID: &people[n%len(people)], Moderation: idea.Approved,
			Body:      fmt.Sprintf("Reactie %03d in een lange draad. Regentonnen zijn ook goed voor de tuin van de flat.", n),
			CreatedAt: start.Add(time.Duration(n) * time.Hour)}
	}
	if err := a.DB.WithContext(ctx).CreateInBatches(&cs, 60).Error; err != nil {
		return err
	}
	for k, body := range []string{"Een antwoord op reactie 060: dat vind ik ook.", "En nog een antwoord op reactie 060."} {
		r := idea.Comment{IdeaID: 3, ParentID: &cs[60].ID, AuthorID: &people[(k+1)%len(people)], Moderation: idea.Approved,
			Body: body, CreatedAt: start.Add(time.Duration(121+k) * time.Hour)}
		if err := a.DB.WithContext(ctx).Create(&r).Error; err != nil {
			return err
		}
	}
	return a.DB.WithContext(ctx).Model(&idea.Idea{}).Where("id = ?", 3).Update("comment_count", 122).Error
}
