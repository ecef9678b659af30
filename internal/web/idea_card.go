package web

import "inspraak/internal/idea"

// IdeaCardData is what the idea-card partial receives: one idea of a
// board page.
type IdeaCardData struct {
	P *Page
	D boardPageData
	I idea.Idea
	// Excerpt is the start of the idea's text.
	Excerpt string
}

// IdeaCard pairs an idea of the board page d with the page.
func (p *Page) IdeaCard(d boardPageData, i idea.Idea) IdeaCardData {
	return IdeaCardData{P: p, D: d, I: i, Excerpt: i.Excerpt()}
}
