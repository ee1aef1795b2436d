package notify_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"kefu/internal/access"
	"kefu/internal/notify"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

type robot struct {
	texts, mentions []string
	fail            error
}

func (r *robot) Push(_ context.Context, text string, mobiles ...string) error {
	r.texts = append(r.texts, text)
	r.mentions = append(r.mentions, strings.Join(mobiles, ","))
	return r.fail
}

// Deliver stores each notice once — again in a later call, twice in one
// call — and pushes the new ones, one message per person naming them and
// mentioning their mobile; a failed push comes back after the notices
// are stored.
func TestDeliver(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := access.With(context.Background(), access.System())
		now := time.Date(2026, 3, 5, 10, 0, 0, 0, time.UTC)
		o := org.NewService(db, func() time.Time { return now })
		a, err := o.CreateStaff(ctx, org.StaffInput{Login: "shi", Name: "石专员", Phone: "13800000001", Roles: []access.Role{access.CSSpecialist}})
		if err != nil {
			t.Fatal(err)
		}
		b, err := o.CreateStaff(ctx, org.StaffInput{Login: "meng", Name: "孟经理", Roles: []access.Role{access.CSManager}})
		if err != nil {
			t.Fatal(err)
		}
		note := func(to, key, title string) notify.Notification {
			return notify.Notification{RecipientID: to, Kind: "k", Title: title, Body: "请处理", DedupKey: key}
		}
		r := &robot{}
		fresh, err := notify.Deliver(ctx, db, now, r, []notify.Notification{note(a.ID, "1", "一"), note(b.ID, "2", "二"), note(a.ID, "3", "三"), note(a.ID, "1", "一")})
		if err != nil || len(fresh) != 3 {
			t.Fatalf("first: %d new, %v", len(fresh), err)
		}
		if len(r.texts) != 2 || r.texts[0] != "【kefu】石专员：一。请处理\n三。请处理" || r.mentions[0] != "13800000001" ||
			r.texts[1] != "【kefu】孟经理：二。请处理" || r.mentions[1] != "" {
			t.Fatalf("pushed %q to %q", r.texts, r.mentions)
		}
		r.fail = errors.New("robot down")
		fresh, err = notify.Deliver(ctx, db, now, r, []notify.Notification{note(a.ID, "1", "一"), note(b.ID, "4", "四")})
		if len(fresh) != 1 || fresh[0].DedupKey != "4" || err == nil || !strings.Contains(err.Error(), "robot down") {
			t.Fatalf("second: %+v, %v", fresh, err)
		}
		list, err := notify.NewService(db, func() time.Time { return now }).List(access.With(context.Background(),
			&access.Principal{StaffID: b.ID, Roles: b.Roles}), false, 10)
		if err != nil || len(list) != 2 {
			t.Fatalf("b's notices %+v %v", list, err)
		}
		if _, err := notify.Deliver(ctx, db, now, nil, []notify.Notification{{RecipientID: a.ID, Title: "无键"}}); err == nil {
			t.Fatal("a notice without a dedup key was stored")
		}
	})
}
