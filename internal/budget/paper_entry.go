package budget

// PaperEntry links an entered paper ballot to the register token of its
// code until its batch is checked (budget_paper_entries, migration 0022).
//
// The paper channel (paper.go, on branch i17-chan) defines the same type;
// when both meet, keep that one and delete this file.
type PaperEntry struct {
	BallotID int64  `gorm:"primaryKey;autoIncrement:false"`
	Voter    string `gorm:"not null"`
}

// TableName fixes the table name.
func (PaperEntry) TableName() string { return "budget_paper_entries" }
