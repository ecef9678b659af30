package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"inspraak/internal/identity"
)

// budgetRoutes registers the budget pages of residents (any channel: the
// voter comes from budgetVoter, never from the route's middleware), of
// editors under the project and of staff who read the results. The letter
// code, stand and paper pages register theirs in their own files.
func (s *Server) budgetRoutes(e *gin.Engine, staff *gin.RouterGroup) {
	e.GET("/projecten/:slug/:instrument/plannen/:plan", s.budgetPlan)
	e.POST("/projecten/:slug/:instrument/mandje", s.budgetBasket)
	e.GET("/projecten/:slug/:instrument/bevestigen", s.budgetConfirm)
	e.POST("/projecten/:slug/:instrument/uitbrengen", s.budgetCast)
	e.GET("/projecten/:slug/:instrument/stembewijs", s.budgetReceipt)
	e.GET("/projecten/:slug/:instrument/uitslag", s.budgetResultsPublic)

	edit := staff.Group("/projecten", s.requireStaff(identity.PermEdit))
	edit.GET("/:id/begrotingen/nieuw", s.editorBudgetNew)
	edit.POST("/:id/begrotingen", s.editorBudgetCreate)
	edit.GET("/:id/begrotingen/:iid", s.editorBudget)
	edit.POST("/:id/begrotingen/:iid/instellingen", s.editorBudgetSettings)
	edit.POST("/:id/begrotingen/:iid/bedragen", s.editorBudgetAreas)
	edit.GET("/:id/begrotingen/:iid/plannen/nieuw", s.editorBudgetPlanNew)
	edit.POST("/:id/begrotingen/:iid/plannen", s.editorBudgetPlanCreate)
	edit.GET("/:id/begrotingen/:iid/plannen/:pid", s.editorBudgetPlanEdit)
	edit.POST("/:id/begrotingen/:iid/plannen/:pid", s.editorBudgetPlanUpdate)
	edit.POST("/:id/begrotingen/:iid/plannen/:pid/verwijderen", s.editorBudgetPlanRemove)
	edit.POST("/:id/begrotingen/:iid/plannen/:pid/verplaatsen", s.editorBudgetPlanMove)
	edit.GET("/:id/begrotingen/:iid/uit-ideeen", s.editorBudgetFromIdeas)
	edit.POST("/:id/begrotingen/:iid/uit-ideeen", s.editorBudgetFromIdeasSave)
	edit.POST("/:id/begrotingen/:iid/uitslag", s.editorBudgetPublish)

	staff.GET("/begrotingen/:iid/uitslag", s.requireAnyStaff(identity.PermAnalyse, identity.PermEdit), s.budgetResultsStaff)
}

// requireAnyStaff is requireStaff for pages more than one role may see.
func (s *Server) requireAnyStaff(perms ...identity.Permission) gin.HandlerFunc {
	return func(c *gin.Context) {
		cur := staffOf(c)
		if cur == nil {
			c.Redirect(http.StatusSeeOther, "/beheer/inloggen?terug="+url.QueryEscape(c.Request.URL.RequestURI()))
			c.Abort()
			return
		}
		for _, p := range perms {
			if cur.Can(p) {
				c.Next()
				return
			}
		}
		s.renderStatus(c, http.StatusForbidden, "error.403.no_role")
		c.Abort()
	}
}
