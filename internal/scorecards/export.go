package scorecards

// Exports of the appraisal records (SPEC §8.4, seed 004 §4.7 and §4.12):
//
//   - 员工月绩效考核记录表 (ExportMonthRecords): one sheet per person in the
//     layout of seed 000's 客服专员绩效考核评分标准 — 考核类别 | 考核项目 |
//     考核标准 | 数据来源 | 分值 | 得分 | 考评人 | 说明 — with the category
//     cells merged, the totals, bonus lines, carried lines (上期补记: late
//     facts of an approved earlier month, carry.go) and appeal
//     adjustments, and the signature row;
//   - 员工月/年绩效考核情况统计表 (ExportMonthStatistics): one row per person;
//   - 年度员工绩效考核情况统计表 (ExportYearStatistics): twelve monthly finals
//     per person, their average and the year-end score (yearend.go).
//
// Points in a workbook are numbers, never binary floats computed here: the
// cell's stored value is the exact decimal text of the integer hundredths
// (appraisal.Points.String, "81.00", "-2.00") written with SetCellDefault,
// shown with the 0.00 number format. Excel reads the decimal text itself,
// so the cells sum and sort as numbers and show exactly what the card says.
//
// Which card is a person's month: the card of the month of a scheme that is
// not a check (appraisal.Scheme.Check), the latest created when there are
// several. Who sees what: everyone their own; managers (and admins) and
// executives everyone's — the same rule as Card.

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"
	"github.com/xuri/excelize/v2"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/appraisal"
)

// RecordStatusLabels are the card states in words, as the exports print them.
var RecordStatusLabels = map[string]string{
	StatusDraft:      "待自评",
	StatusSelfReview: "自评中",
	StatusRating:     "上级评价中",
	StatusApproval:   "待审批",
	StatusPublished:  "已公布（申诉期）",
	StatusFinal:      "已定稿",
}

// exportRoleNames name a role as a position (岗位) when the staff record has
// no title.
var exportRoleNames = map[access.Role]string{
	access.Executive: "总经理", access.CSManager: "客服经理", access.CSSpecialist: "客服专员",
	access.MaintSupervisor: "维修主管", access.Technician: "维修人员", access.Finance: "财务",
	access.InfoCenter: "信息中心", access.Admin: "系统管理员",
}

// exportPerson is a staff member as the exports show them.
type exportPerson struct {
	ID     string `bun:"id"`
	Login  string `bun:"login"`
	Name   string `bun:"name"`
	Title  string `bun:"title"`
	DeptID string `bun:"department_id"`
	Dept   string `bun:"dept"`
	Active bool   `bun:"active"`
	Roles  []access.Role
}

// position is the person's 岗位: their title, else their first role.
func (p *exportPerson) position() string {
	if p.Title != "" {
		return p.Title
	}
	for _, r := range p.Roles {
		if n, ok := exportRoleNames[r]; ok {
			return n
		}
	}
	return ""
}

// department is the person's department name, or 未分配部门.
func (p *exportPerson) department() string {
	if p.Dept == "" {
		return "未分配部门"
	}
	return p.Dept
}

// exportPeople reads every staff member (those who left keep their
// records) by id.
func exportPeople(ctx context.Context, db bun.IDB) (map[string]*exportPerson, error) {
	var rows []*exportPerson
	if err := db.NewRaw(`SELECT s.id, s.login, s.name, s.title, COALESCE(s.department_id, '') AS department_id,
		COALESCE(d.name, '') AS dept, s.active FROM staff s LEFT JOIN departments d ON d.id = s.department_id`).Scan(ctx, &rows); err != nil {
		return nil, err
	}
	out := make(map[string]*exportPerson, len(rows))
	for _, r := range rows {
		out[r.ID] = r
	}
	var roles []struct {
		StaffID string `bun:"staff_id"`
		Role    string `bun:"role"`
	}
	if err := db.NewRaw("SELECT staff_id, role FROM staff_roles ORDER BY staff_id, role").Scan(ctx, &roles); err != nil {
		return nil, err
	}
	for _, r := range roles {
		if p := out[r.StaffID]; p != nil {
			p.Roles = append(p.Roles, access.Role(r.Role))
		}
	}
	return out, nil
}

// schemeDoc is a stored scheme version with its decoded document.
type schemeDoc struct {
	rec *SchemeRecord
	doc *appraisal.Scheme
}

// item finds an item of the scheme by key.
func (s *schemeDoc) item(key string) *appraisal.Item {
	if s == nil || s.doc == nil {
		return nil
	}
	for ci := range s.doc.Categories {
		for ii := range s.doc.Categories[ci].Items {
			if it := &s.doc.Categories[ci].Items[ii]; it.Key == key {
				return it
			}
		}
	}
	return nil
}

// schemeDocs reads every stored scheme version by id.
func schemeDocs(ctx context.Context, db bun.IDB) (map[string]*schemeDoc, error) {
	var recs []SchemeRecord
	if err := db.NewSelect().Model(&recs).Order("code", "version").Scan(ctx); err != nil {
		return nil, err
	}
	out := make(map[string]*schemeDoc, len(recs))
	for i := range recs {
		doc, err := recs[i].Scheme()
		if err != nil {
			return nil, fmt.Errorf("scheme %s v%d: %w", recs[i].Code, recs[i].Version, err)
		}
		out[recs[i].ID] = &schemeDoc{rec: &recs[i], doc: doc}
	}
	return out, nil
}

// isCheckCard reports whether the card's scheme is a check scheme.
func isCheckCard(schemes map[string]*schemeDoc, c *Scorecard) bool {
	sc := schemes[c.SchemeID]
	return sc != nil && isCheck(sc.rec.Code, sc.doc)
}

// cardsBetween reads the cards whose period is in the months from…to
// (YYYY-MM, inclusive; a weekly check's period is its Monday, in the month
// of that Monday), by period, staff and creation.
func cardsBetween(ctx context.Context, db bun.IDB, from, to string) ([]Scorecard, error) {
	var out []Scorecard
	err := db.NewSelect().Model(&out).Where("period >= ? AND period < ?", from, nextMonth(to)).
		Order("period", "staff_id", "created_at", "id").Scan(ctx)
	return out, err
}

// monthCards keeps each person's monthly appraisal card per period (not a
// check; the latest created when there are several), keyed staff → period.
func monthCards(cards []Scorecard, schemes map[string]*schemeDoc) map[string]map[string]*Scorecard {
	out := map[string]map[string]*Scorecard{}
	for i := range cards {
		c := &cards[i]
		if isCheckCard(schemes, c) {
			continue
		}
		m := out[c.StaffID]
		if m == nil {
			m = map[string]*Scorecard{}
			out[c.StaffID] = m
		}
		if prev := m[c.Period]; prev == nil || !c.CreatedAt.Before(prev.CreatedAt) {
			m[c.Period] = c
		}
	}
	return out
}

// readsEveryone: managers, admins and executives read everyone's appraisal.
func readsEveryone(p *access.Principal) bool {
	return p.Can(access.AppraisalRead) && (p.IsManagerial() || p.Has(access.Executive))
}

// sortPeople orders staff ids by department, then login.
func sortPeople(ids []string, people map[string]*exportPerson) {
	slices.SortFunc(ids, func(a, b string) int {
		pa, pb := people[a], people[b]
		if pa == nil || pb == nil {
			return cmp.Compare(a, b)
		}
		return cmp.Or(cmp.Compare(pa.department(), pb.department()), cmp.Compare(pa.Login, pb.Login), cmp.Compare(a, b))
	})
}

// monthTitle is "2026年03月".
func monthTitle(period string) string {
	y, m, _ := strings.Cut(period, "-")
	return y + "年" + m + "月"
}

// --- the workbook writer ---------------------------------------------------

// recordBook writes a workbook: text cells, point cells (exact decimal text with
// the 0.00 format), merges and a few styles.
type recordBook struct {
	f                          *excelize.File
	sheet                      string
	title, head, text, points  int
	bold, boldPoints, wrapText int
	sheets                     int
	names                      map[string]bool
}

func newRecordBook() (*recordBook, error) {
	f := excelize.NewFile()
	b := &recordBook{f: f, names: map[string]bool{}}
	border := []excelize.Border{{Type: "left", Color: "000000", Style: 1}, {Type: "top", Color: "000000", Style: 1},
		{Type: "right", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1}}
	center := &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}
	left := &excelize.Alignment{Vertical: "center", WrapText: true}
	styles := []struct {
		dst *int
		st  excelize.Style
	}{
		{&b.title, excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}}},
		{&b.head, excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: center, Border: border}},
		{&b.text, excelize.Style{Alignment: left, Border: border}},
		{&b.points, excelize.Style{NumFmt: 2, Alignment: &excelize.Alignment{Horizontal: "right", Vertical: "center"}, Border: border}},
		{&b.bold, excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: left, Border: border}},
		{&b.boldPoints, excelize.Style{Font: &excelize.Font{Bold: true}, NumFmt: 2, Alignment: &excelize.Alignment{Horizontal: "right", Vertical: "center"}, Border: border}},
		{&b.wrapText, excelize.Style{Alignment: left}},
	}
	for _, s := range styles {
		id, err := f.NewStyle(&s.st)
		if err != nil {
			f.Close()
			return nil, err
		}
		*s.dst = id
	}
	return b, nil
}

// addSheet starts a sheet named name (made valid and unique: at most 31
// characters, none of : \ / ? * [ ]).
func (b *recordBook) addSheet(name string) error {
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '_'
		}
		return r
	}, name)
	base := truncRunes(name, 31)
	name = base
	for i := 2; b.names[strings.ToLower(name)]; i++ {
		suffix := "~" + strconv.Itoa(i)
		name = truncRunes(base, 31-utf8.RuneCountInString(suffix)) + suffix
	}
	b.names[strings.ToLower(name)] = true
	if b.sheets == 0 {
		if err := b.f.SetSheetName("Sheet1", name); err != nil {
			return err
		}
	} else if _, err := b.f.NewSheet(name); err != nil {
		return err
	}
	b.sheets++
	b.sheet = name
	return nil
}

func truncRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

func cellName(col, row int) string {
	c, _ := excelize.CoordinatesToCellName(col, row)
	return c
}

// str writes a text cell.
func (b *recordBook) str(col, row int, v string, style int) error {
	c := cellName(col, row)
	if err := b.f.SetCellStr(b.sheet, c, v); err != nil {
		return err
	}
	return b.f.SetCellStyle(b.sheet, c, c, style)
}

// pts writes a point cell: the exact decimal text of p as a number.
func (b *recordBook) pts(col, row int, p appraisal.Points, style int) error {
	c := cellName(col, row)
	if err := b.f.SetCellDefault(b.sheet, c, p.String()); err != nil {
		return err
	}
	return b.f.SetCellStyle(b.sheet, c, c, style)
}

// merge merges [c1,r1]..[c2,r2] (styled with style on every cell so the
// borders show).
func (b *recordBook) merge(c1, r1, c2, r2, style int) error {
	if c1 == c2 && r1 == r2 {
		return nil
	}
	if err := b.f.SetCellStyle(b.sheet, cellName(c1, r1), cellName(c2, r2), style); err != nil {
		return err
	}
	return b.f.MergeCell(b.sheet, cellName(c1, r1), cellName(c2, r2))
}

// widths sets the column widths from A on.
func (b *recordBook) widths(ws ...float64) error {
	for i, w := range ws {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := b.f.SetColWidth(b.sheet, col, col, w); err != nil {
			return err
		}
	}
	return nil
}

func (b *recordBook) write(w io.Writer) error {
	defer b.f.Close()
	return b.f.Write(w)
}

// --- 员工月绩效考核记录表 ----------------------------------------------------------

// recordColumns are the columns of the record sheet (seed 000's table plus
// 说明, the explanation of the score).
var recordColumns = []string{"考核类别", "考核项目", "考核标准", "数据来源", "分值", "得分", "考评人", "说明"}

// ExportMonthRecords writes 员工月绩效考核记录表 of period (YYYY-MM) as
// XLSX: one sheet per person with a card of the month. staffIDs limits the
// people; empty means everyone the caller may read (a staff member: their
// own card). Asking for someone the caller may not read is Forbidden. With
// no card at all the workbook has one sheet saying so.
func (s *Service) ExportMonthRecords(ctx context.Context, w io.Writer, period string, staffIDs []string) error {
	p := access.Caller(ctx)
	if !p.Can(access.AppraisalRead) {
		return apperr.Forbidden("无权查看考核")
	}
	if _, _, _, err := s.month(period); err != nil {
		return err
	}
	for _, id := range staffIDs {
		if !canRead(p, id) {
			return apperr.Forbidden("只能导出自己的考核")
		}
	}
	if len(staffIDs) == 0 && !readsEveryone(p) {
		staffIDs = []string{p.StaffID}
	}
	db := s.db.R()
	people, err := exportPeople(ctx, db)
	if err != nil {
		return err
	}
	schemes, err := schemeDocs(ctx, db)
	if err != nil {
		return err
	}
	cards, err := cardsBetween(ctx, db, period, period)
	if err != nil {
		return err
	}
	byStaff := monthCards(cards, schemes)
	ids := make([]string, 0, len(byStaff))
	for id := range byStaff {
		if len(staffIDs) == 0 || slices.Contains(staffIDs, id) {
			ids = append(ids, id)
		}
	}
	sortPeople(ids, people)
	b, err := newRecordBook()
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		if err := b.addSheet("员工月绩效考核记录表"); err != nil {
			return err
		}
		if err := b.str(1, 1, "员工月绩效考核记录表（"+monthTitle(period)+"）", b.title); err != nil {
			return err
		}
		if err := b.str(1, 2, "本月没有考核记录", b.wrapText); err != nil {
			return err
		}
		return b.write(w)
	}
	appeals, err := upheldAdjustments(ctx, db, cards)
	if err != nil {
		return err
	}
	for _, id := range ids {
		card := byStaff[id][period]
		if err := s.recordSheet(b, card, people, schemes[card.SchemeID], appeals[card.ID]); err != nil {
			return err
		}
	}
	return b.write(w)
}

// adjustment is an upheld appeal with a score adjustment.
type appealAdjustment struct {
	CardID string           `bun:"scorecard_id"`
	Item   string           `bun:"item_key"`
	Text   string           `bun:"text"`
	Points appraisal.Points `bun:"adjustment"`
	Note   string           `bun:"decision_note"`
	At     *time.Time       `bun:"decided_at"`
}

// upheldAdjustments reads the upheld appeals with an adjustment of cards,
// by card id.
func upheldAdjustments(ctx context.Context, db bun.IDB, cards []Scorecard) (map[string][]appealAdjustment, error) {
	out := map[string][]appealAdjustment{}
	if len(cards) == 0 {
		return out, nil
	}
	ids := make([]string, len(cards))
	for i := range cards {
		ids[i] = cards[i].ID
	}
	var rows []appealAdjustment
	if err := db.NewRaw(`SELECT scorecard_id, item_key, text, adjustment, decision_note, decided_at FROM scorecard_appeals
		WHERE scorecard_id IN (?) AND kind = 'appeal' AND decision = 'upheld' AND adjustment <> 0 ORDER BY decided_at, id`, bun.In(ids)).Scan(ctx, &rows); err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.CardID] = append(out[r.CardID], r)
	}
	return out, nil
}

// recordSheet writes one person's card.
func (s *Service) recordSheet(b *recordBook, card *Scorecard, people map[string]*exportPerson, sc *schemeDoc, adjs []appealAdjustment) error {
	person := people[card.StaffID]
	if person == nil {
		person = &exportPerson{ID: card.StaffID, Login: card.StaffID, Name: card.StaffID}
	}
	if err := b.addSheet(person.Name + "（" + person.Login + "）"); err != nil {
		return err
	}
	ncol := len(recordColumns)
	if err := b.str(1, 1, "员工月绩效考核记录表", b.title); err != nil {
		return err
	}
	if err := b.merge(1, 1, ncol, 1, b.title); err != nil {
		return err
	}
	schemeName := card.Card.Scheme
	if sc != nil {
		schemeName = fmt.Sprintf("%s（第 %d 版）", sc.rec.Name, sc.rec.Version)
	}
	info := fmt.Sprintf("部门：%s　岗位：%s　姓名：%s（%s）　考核月份：%s　考核方案：%s　状态：%s",
		person.department(), person.position(), person.Name, person.Login, monthTitle(card.Period), schemeName, RecordStatusLabels[card.Status])
	if err := b.str(1, 2, info, b.wrapText); err != nil {
		return err
	}
	if err := b.merge(1, 2, ncol, 2, b.wrapText); err != nil {
		return err
	}
	row := 3
	for i, h := range recordColumns {
		if err := b.str(i+1, row, h, b.head); err != nil {
			return err
		}
	}
	row++
	for _, cat := range card.Card.Categories {
		first := row
		for _, l := range card.Card.Lines {
			if l.Category != cat.Key {
				continue
			}
			label := cat.Name
			if cat.Weight != "" {
				label += "\n" + cat.Weight
			}
			source, standard := "", l.Rule
			if it := sc.item(l.Item); it != nil {
				source = it.Source
			}
			cells := []string{label, l.Name, standard, source}
			for i, v := range cells {
				if err := b.str(i+1, row, v, b.text); err != nil {
					return err
				}
			}
			if err := b.pts(5, row, l.Max, b.points); err != nil {
				return err
			}
			if l.Pending {
				if err := b.str(6, row, "待评", b.text); err != nil {
					return err
				}
			} else if err := b.pts(6, row, l.Score, b.points); err != nil {
				return err
			}
			if err := b.str(7, row, l.Rater, b.text); err != nil {
				return err
			}
			if err := b.str(8, row, lineNote(l), b.text); err != nil {
				return err
			}
			row++
		}
		if row-1 > first {
			if err := b.merge(1, first, 1, row-1, b.text); err != nil {
				return err
			}
		}
	}
	// 合计: the items; then bonus lines, carried lines (上期补记), appeal
	// adjustments and the final score.
	total := func(label string, max *appraisal.Points, score appraisal.Points, note string) error {
		if err := b.str(1, row, label, b.bold); err != nil {
			return err
		}
		if err := b.merge(1, row, 4, row, b.bold); err != nil {
			return err
		}
		if max != nil {
			if err := b.pts(5, row, *max, b.boldPoints); err != nil {
				return err
			}
		} else if err := b.str(5, row, "", b.text); err != nil {
			return err
		}
		if err := b.pts(6, row, score, b.boldPoints); err != nil {
			return err
		}
		if err := b.str(7, row, note, b.text); err != nil {
			return err
		}
		if err := b.merge(7, row, 8, row, b.text); err != nil {
			return err
		}
		row++
		return nil
	}
	pending := ""
	if !card.Complete {
		var names []string
		for _, l := range card.Card.Lines {
			if l.Pending {
				names = append(names, l.Name)
			}
		}
		pending = "未完成：待评 " + strings.Join(names, "、")
	}
	max := card.Card.Max
	if err := total("合计", &max, card.Total, pending); err != nil {
		return err
	}
	for _, bl := range card.Card.Bonuses {
		if err := total("加分："+bl.Reason, nil, bl.Points, bl.Text); err != nil {
			return err
		}
	}
	for _, cl := range card.Card.Carried {
		if err := total("上期补记："+cl.From+" "+cl.Name, nil, cl.Points, cl.Text); err != nil {
			return err
		}
	}
	for _, a := range adjs {
		note := a.Note
		if a.Item != "" {
			note = strings.TrimPrefix(a.Item+"："+note, "：")
		}
		if err := total("申诉调整："+a.Text, nil, a.Points, note); err != nil {
			return err
		}
	}
	if err := total("最终得分", nil, card.Final, ""); err != nil {
		return err
	}
	// Signatures: 被考核人 (自评), 考评人 (上级评价), 审批人 with their dates.
	row++
	sign := func(col1, col2 int, role string, who *string, at *time.Time) error {
		v := role + "："
		if who != nil && *who != "" {
			if p := people[*who]; p != nil {
				v += p.Name
			}
		}
		if at != nil {
			v += "　日期：" + at.In(s.loc).Format("2006-01-02")
		}
		if err := b.str(col1, row, v, b.wrapText); err != nil {
			return err
		}
		return b.merge(col1, row, col2, row, b.wrapText)
	}
	self := card.StaffID
	var selfWho *string
	if card.SelfAt != nil {
		selfWho = &self
	}
	if err := sign(1, 3, "被考核人", selfWho, card.SelfAt); err != nil {
		return err
	}
	if err := sign(4, 6, "考评人", card.RatedBy, card.RatedAt); err != nil {
		return err
	}
	if err := sign(7, 8, "审批人", card.ApprovedBy, card.ApprovedAt); err != nil {
		return err
	}
	return b.widths(12, 16, 36, 14, 8, 8, 10, 44)
}

// lineNote is a line's 说明: its deductions with their counts, the detail of
// the score and any note.
func lineNote(l appraisal.Line) string {
	var parts []string
	for _, d := range l.Deductions {
		parts = append(parts, d.Text)
	}
	if l.Detail != "" {
		parts = append(parts, l.Detail)
	}
	if l.Note != "" {
		parts = append(parts, l.Note)
	}
	return strings.Join(parts, "；")
}

// --- 员工月/年绩效考核情况统计表 ------------------------------------------------

// MonthRow is one person's line of the month's statistics.
type MonthRow struct {
	StaffID    string           `json:"staff_id"`
	Login      string           `json:"login"`
	Name       string           `json:"name"`
	Department string           `json:"department"`
	Position   string           `json:"position"`
	Categories []CategoryScore  `json:"categories"`
	Total      appraisal.Points `json:"total"`
	Bonus      appraisal.Points `json:"bonus"`
	Carry      appraisal.Points `json:"carry"` // 上期补记: late facts of earlier months carried to this card
	Final      appraisal.Points `json:"final"`
	Rank       int              `json:"rank"` // by final score, ties share a rank (1, 2, 2, 4)
	Status     string           `json:"status"`
	Complete   bool             `json:"complete"`
	CardID     string           `json:"card_id"`
	Scheme     string           `json:"scheme"`
}

// CategoryScore is one category's subtotal on a card.
type CategoryScore struct {
	Name   string           `json:"name"`
	Weight string           `json:"weight,omitempty"`
	Max    appraisal.Points `json:"max"`
	Score  appraisal.Points `json:"score"`
}

// MonthStatistics is 员工月绩效考核情况统计表: the month's monthly cards, one
// row per person, ranked by final score.
type MonthStatistics struct {
	Period     string     `json:"period"`
	Categories []string   `json:"categories"` // the category columns, in scheme order
	Rows       []MonthRow `json:"rows"`
}

// MonthStatistics returns the month's statistics table: every person's
// monthly card for managers and executives, the caller's own otherwise.
// The printable page shows it.
func (s *Service) MonthStatistics(ctx context.Context, period string) (*MonthStatistics, error) {
	p := access.Caller(ctx)
	if !p.Can(access.AppraisalRead) {
		return nil, apperr.Forbidden("无权查看考核")
	}
	if _, _, _, err := s.month(period); err != nil {
		return nil, err
	}
	db := s.db.R()
	people, err := exportPeople(ctx, db)
	if err != nil {
		return nil, err
	}
	schemes, err := schemeDocs(ctx, db)
	if err != nil {
		return nil, err
	}
	cards, err := cardsBetween(ctx, db, period, period)
	if err != nil {
		return nil, err
	}
	byStaff := monthCards(cards, schemes)
	all := readsEveryone(p)
	ids := make([]string, 0, len(byStaff))
	for id := range byStaff {
		if all || id == p.StaffID {
			ids = append(ids, id)
		}
	}
	sortPeople(ids, people)
	out := &MonthStatistics{Period: period, Categories: []string{}, Rows: []MonthRow{}}
	seen := map[string]bool{}
	for _, id := range ids {
		c := byStaff[id][period]
		person := people[id]
		if person == nil {
			person = &exportPerson{ID: id, Login: id, Name: id}
		}
		r := MonthRow{StaffID: id, Login: person.Login, Name: person.Name, Department: person.department(), Position: person.position(),
			Total: c.Total, Bonus: c.Bonus, Carry: c.Card.Carry, Final: c.Final, Status: c.Status, Complete: c.Complete, CardID: c.ID}
		if sc := schemes[c.SchemeID]; sc != nil {
			r.Scheme = sc.rec.Name
		}
		for _, cat := range c.Card.Categories {
			r.Categories = append(r.Categories, CategoryScore{Name: cat.Name, Weight: cat.Weight, Max: cat.Max, Score: cat.Score})
			if !seen[cat.Name] {
				seen[cat.Name] = true
				out.Categories = append(out.Categories, cat.Name)
			}
		}
		out.Rows = append(out.Rows, r)
	}
	rankRows(out.Rows)
	return out, nil
}

// rankRows gives each row its competition rank by final score (1, 2, 2, 4).
func rankRows(rows []MonthRow) {
	finals := make([]appraisal.Points, len(rows))
	for i, r := range rows {
		finals[i] = r.Final
	}
	for i := range rows {
		rank := 1
		for _, f := range finals {
			if f > rows[i].Final {
				rank++
			}
		}
		rows[i].Rank = rank
	}
}

// ExportMonthStatistics writes 员工月/年绩效考核情况统计表 of period as XLSX:
// one row per person — department, name, each category's score, total,
// bonus, final, rank, status.
func (s *Service) ExportMonthStatistics(ctx context.Context, w io.Writer, period string) error {
	st, err := s.MonthStatistics(ctx, period)
	if err != nil {
		return err
	}
	b, err := newRecordBook()
	if err != nil {
		return err
	}
	if err := b.addSheet("月度统计 " + period); err != nil {
		return err
	}
	// A 上期补记 column when a card of the month carries late facts, so
	// that every row adds up to its final score.
	carried := slices.ContainsFunc(st.Rows, func(r MonthRow) bool { return r.Carry != 0 })
	head := append([]string{"序号", "部门", "姓名", "岗位"}, st.Categories...)
	head = append(head, "合计", "加分")
	if carried {
		head = append(head, "上期补记")
	}
	head = append(head, "最终得分", "排名", "状态")
	if err := b.str(1, 1, "员工月/年绩效考核情况统计表（"+monthTitle(period)+"）", b.title); err != nil {
		return err
	}
	if err := b.merge(1, 1, len(head), 1, b.title); err != nil {
		return err
	}
	for i, h := range head {
		if err := b.str(i+1, 2, h, b.head); err != nil {
			return err
		}
	}
	for i, r := range st.Rows {
		row := i + 3
		for c, v := range []string{strconv.Itoa(i + 1), r.Department, r.Name + "（" + r.Login + "）", r.Position} {
			if err := b.str(c+1, row, v, b.text); err != nil {
				return err
			}
		}
		col := 5
		for _, name := range st.Categories {
			i := slices.IndexFunc(r.Categories, func(c CategoryScore) bool { return c.Name == name })
			if i < 0 {
				if err := b.str(col, row, "", b.text); err != nil {
					return err
				}
			} else if err := b.pts(col, row, r.Categories[i].Score, b.points); err != nil {
				return err
			}
			col++
		}
		pts := []appraisal.Points{r.Total, r.Bonus, r.Final}
		if carried {
			pts = []appraisal.Points{r.Total, r.Bonus, r.Carry, r.Final}
		}
		for _, v := range pts {
			if err := b.pts(col, row, v, b.points); err != nil {
				return err
			}
			col++
		}
		status := RecordStatusLabels[r.Status]
		if !r.Complete {
			status += "（未评完）"
		}
		if err := b.str(col, row, strconv.Itoa(r.Rank), b.text); err != nil {
			return err
		}
		if err := b.str(col+1, row, status, b.text); err != nil {
			return err
		}
	}
	ws := []float64{6, 12, 16, 10}
	for range st.Categories {
		ws = append(ws, 12)
	}
	ws = append(ws, 9, 9)
	if carried {
		ws = append(ws, 10)
	}
	if err := b.widths(append(ws, 10, 6, 18)...); err != nil {
		return err
	}
	return b.write(w)
}

// ExportYearStatistics writes 年度员工绩效考核情况统计表 of year as XLSX: per
// person the twelve monthly finals, their average, the year-end score where
// a roll-up scheme applies and its 优秀员工 note.
func (s *Service) ExportYearStatistics(ctx context.Context, w io.Writer, year int) error {
	st, err := s.YearStatistics(ctx, year)
	if err != nil {
		return err
	}
	b, err := newRecordBook()
	if err != nil {
		return err
	}
	if err := b.addSheet("年度统计 " + strconv.Itoa(year)); err != nil {
		return err
	}
	head := []string{"序号", "部门", "姓名"}
	for m := 1; m <= 12; m++ {
		head = append(head, strconv.Itoa(m)+"月")
	}
	head = append(head, "月平均", "年终考评（含嘉奖）", "年终总分", "备注")
	if err := b.str(1, 1, "年度员工绩效考核情况统计表（"+strconv.Itoa(year)+"年）", b.title); err != nil {
		return err
	}
	if err := b.merge(1, 1, len(head), 1, b.title); err != nil {
		return err
	}
	for i, h := range head {
		if err := b.str(i+1, 2, h, b.head); err != nil {
			return err
		}
	}
	opt := func(col, row int, v *appraisal.Points) error {
		if v == nil {
			return b.str(col, row, "", b.text)
		}
		return b.pts(col, row, *v, b.points)
	}
	for i, r := range st.Rows {
		row := i + 3
		for c, v := range []string{strconv.Itoa(i + 1), r.Department, r.Name + "（" + r.Login + "）"} {
			if err := b.str(c+1, row, v, b.text); err != nil {
				return err
			}
		}
		for m := range 12 {
			if err := opt(4+m, row, r.Months[m]); err != nil {
				return err
			}
		}
		if err := opt(16, row, r.Average); err != nil {
			return err
		}
		if err := opt(17, row, r.Review); err != nil {
			return err
		}
		if err := opt(18, row, r.YearEnd); err != nil {
			return err
		}
		if err := b.str(19, row, r.Note, b.text); err != nil {
			return err
		}
	}
	ws := []float64{6, 12, 16}
	for range 12 {
		ws = append(ws, 8)
	}
	if err := b.widths(append(ws, 9, 9, 9, 40)...); err != nil {
		return err
	}
	return b.write(w)
}
