package demo

import (
	"fmt"
	"time"

	"kefu/internal/access"
	"kefu/internal/appraisal"
	"kefu/internal/scorecards"
)

// loadAppraisal gives the centre last month's appraisal (绩效考核), as the
// manager would have run it: every card computed and opened for the
// self-review; the second region's specialist has commented, been rated
// and had her card approved and published (its appeal window open); the
// first region's specialist has last month's 督办记录表 graded and a week of
// chat sampling recorded, one day failing.
func (l *loader) loadAppraisal() error {
	if l.d.Scorecards == nil || len(l.regions) < 2 {
		return nil
	}
	info, err := l.d.Auth.Principal(l.sys, l.staff["manager"].ID)
	if err != nil {
		return err
	}
	mgr := access.With(l.sys, info)
	now := l.d.Now().In(l.d.Loc)
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, l.d.Loc).AddDate(0, -1, 0)
	month := first.Format("2006-01")
	svc := l.d.Scorecards
	n, err := svc.Compute(mgr, month, "")
	if err != nil {
		return fmt.Errorf("compute %s: %w", month, err)
	}
	l.sum.Scorecards = n.Computed
	if _, err := svc.OpenSelfReview(mgr, month); err != nil {
		return err
	}

	// The second specialist's card, all the way to publication.
	r := l.regions[1]
	card, err := svc.Card(mgr, r.specialist.ID, month)
	if err != nil {
		return err
	}
	if card, err = svc.Transition(r.ctx, card.ID, card.Version, scorecards.StatusRating, "本月按时完成回访与派单；个别微信回复超时，已调整值班安排"); err != nil {
		return err
	}
	d, err := svc.CardDetail(mgr, card.ID)
	if err != nil {
		return err
	}
	for i, it := range d.Items {
		rt := appraisal.Rating{Points: it.Points}
		switch {
		case it.Method == appraisal.MethodRubric && len(it.Levels) > 1 && i%3 == 2:
			rt.Points = it.Levels[1].Points // one level below the best
		case it.Method == appraisal.MethodRubric && len(it.Levels) > 0:
			rt.Points = it.Levels[0].Points
		case it.Method != appraisal.MethodManual:
			continue
		}
		if card, err = svc.Rate(mgr, card.ID, card.Version, it.Item, rt); err != nil {
			return fmt.Errorf("rate %s: %w", it.Item, err)
		}
	}
	for _, to := range []string{scorecards.StatusApproval, scorecards.StatusPublished} {
		if card, err = svc.Transition(mgr, card.ID, card.Version, to, ""); err != nil {
			return fmt.Errorf("%s: %w", to, err)
		}
	}

	// The first specialist's checks of the month.
	spec := l.regions[0].specialist.ID
	check, err := svc.OpenCheck(mgr, scorecards.CheckInput{StaffID: spec, Scheme: "supervision_checklist", Period: month})
	if err != nil {
		return err
	}
	cd, err := svc.CardDetail(mgr, check.ID)
	if err != nil {
		return err
	}
	for i, it := range cd.Items {
		grades := map[string]string{}
		for j, sub := range it.SubItems {
			grades[sub.Key] = appraisal.GradeFull
			if (i+j)%4 == 3 {
				grades[sub.Key] = appraisal.GradeMostly
			}
		}
		if check, err = svc.Rate(mgr, check.ID, check.Version, it.Item, appraisal.Rating{Grades: grades}); err != nil {
			return fmt.Errorf("grade %s: %w", it.Item, err)
		}
	}
	sampling, err := svc.OpenCheck(mgr, scorecards.CheckInput{StaffID: spec, Scheme: "chat_sampling", Period: month})
	if err != nil {
		return err
	}
	days := 0
	for day := first; day.Month() == first.Month() && days < 5; day = day.AddDate(0, 0, 1) {
		if day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
			continue
		}
		failed := int64(days % 2)
		if days == 3 {
			failed = 4 // 4 failing: the day loses its point
		}
		in := scorecards.SampleInput{Item: "chat_records", Date: day.Format(time.DateOnly), Checked: 20, Failed: failed,
			Note: "问候语、结束语与响应时效抽查"}
		if sampling, err = svc.RecordSample(mgr, sampling.ID, sampling.Version, in); err != nil {
			return fmt.Errorf("sample %s: %w", in.Date, err)
		}
		days++
	}
	l.sum.Checks = 2
	return nil
}
