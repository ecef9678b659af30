package bench

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"gorm.io/gorm"

	"inspraak/internal/project"
)

// These benchmarks try changes to the product without making them, to put
// numbers on the suggestions in README.md.

// BenchmarkExperimentPrepared compares the project page's two queries (the
// same ones project.Service.GetPublic runs) with and without gorm's
// prepared-statement cache; store.Open sets PrepareStmt: false.
func BenchmarkExperimentPrepared(b *testing.B) {
	a := newApp(b)
	ctx := context.Background()
	statuses := []project.Status{project.StatusPublished, project.StatusClosed, project.StatusArchived}
	for _, prepared := range []bool{false, true} {
		name := "unprepared"
		if prepared {
			name = "prepared"
		}
		b.Run(name, func(b *testing.B) {
			db := a.DB.DB.Session(&gorm.Session{PrepareStmt: prepared})
			b.ReportAllocs()
			for b.Loop() {
				var p project.Project
				err := db.WithContext(ctx).
					Preload("Phases", func(db *gorm.DB) *gorm.DB { return db.Order("position") }).
					Where("slug = ? AND status IN ?", "project-100", statuses).
					Take(&p).Error
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkExperimentGzip compresses the real home and project pages at
// the level the compress middleware uses (default, 6) and at BestSpeed (1).
func BenchmarkExperimentGzip(b *testing.B) {
	a := newApp(b)
	h := a.Handler()
	for _, path := range []string{"/", "/projecten/project-100"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		page := w.Body.Bytes()
		for _, level := range []int{gzip.DefaultCompression, gzip.BestSpeed} {
			name := map[string]string{"/": "home", "/projecten/project-100": "project"}[path]
			b.Run(name+"/level"+map[int]string{-1: "6", 1: "1"}[level], func(b *testing.B) {
				zw, _ := gzip.NewWriterLevel(io.Discard, level)
				var out bytes.Buffer
				b.SetBytes(int64(len(page)))
				b.ReportAllocs()
				for b.Loop() {
					out.Reset()
					zw.Reset(&out)
					_, _ = zw.Write(page)
					_ = zw.Close()
				}
				b.ReportMetric(float64(out.Len()), "gzip-bytes")
				b.ReportMetric(float64(len(page)), "html-bytes")
			})
		}
	}
}
