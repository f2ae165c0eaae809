package people

import (
	"context"
	"fmt"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
)

// SeedDemo implements kernel.DemoSeeder: the demo operator gets a security organisation of
// twelve people, four key posts held by five of them, background checks, certificates and
// two years of training, with exactly one gap: one key-post holder's background check is
// overdue.
func (m *Module) SeedDemo(ctx context.Context, d kernel.Demo) error {
	sm := d.Users[auth.SecurityManager]
	ctx = store.WithOrg(ctx, d.Operator.ID)
	ctx = audit.WithActor(ctx, audit.Actor{UserID: sm.ID, OrgID: d.Operator.ID, Label: sm.Email + " (security_manager)"})
	return SeedDemo(ctx, m.Service)
}

// demoStaff are the demo organisation's security staff: name, number, department, title and
// the key post they hold (-1: none).
var demoStaff = []struct {
	name, no, dept, title string
	post                  int
}{
	{"周建国", "GD-0001", "公司领导", "副总经理、网络安全和信息化领导小组副组长", -1},
	{"李强", "GD-0107", "网络安全与信息化部", "部门主任（安全管理负责人）", -1},
	{"赵晓东", "GD-0215", "网络安全与信息化部", "系统管理员", 0},
	{"钱雨婷", "GD-0216", "网络安全与信息化部", "系统管理员", 0},
	{"孙志刚", "GD-0231", "网络安全与信息化部", "网络管理员", 1},
	{"吴海燕", "GD-0244", "网络安全与信息化部", "安全审计员", 2},
	{"郑磊", "GD-0252", "调度控制中心", "数据库管理员", 3},
	{"冯佳", "GD-0263", "网络安全与信息化部", "安全运维工程师", -1},
	{"陈思远", "GD-0270", "网络安全与信息化部", "安全运维工程师", -1},
	{"褚文博", "GD-0281", "调度控制中心", "自动化运维工程师", -1},
	{"卫明", "GD-0290", "网络安全与信息化部", "数据安全专员", -1},
	{"蒋丽华", "GD-0302", "网络安全与信息化部", "安全合规专员", -1},
}

// demoPosts are the key posts.
var demoPosts = []PostInput{
	{"系统管理员", "调度自动化系统和营销系统的主机、操作系统和账号管理"},
	{"网络管理员", "生产控制大区和管理信息大区网络设备配置与边界防护"},
	{"安全审计员", "日志审计和特权操作审计"},
	{"数据库管理员", "核心业务数据库的运维和备份"},
}

// SeedDemo records the demo people for the context's organisation, dated from s.Now.
func SeedDemo(ctx context.Context, s *Service) error {
	now := s.Now().In(calendar.Shanghai)
	y := now.Year()
	day := func(t time.Time) string { return t.Format(DateLayout) }
	var ids []int64
	for i, p := range demoStaff {
		joined := fmt.Sprintf("%d-%02d-01", 2015+i%6, 3+i%9)
		per, err := s.AddPerson(ctx, PersonInput{Name: p.name, EmployeeNo: p.no, Department: p.dept, Title: p.title, SecurityStaff: true, JoinedOn: joined})
		if err != nil {
			return fmt.Errorf("demo person %s: %w", p.name, err)
		}
		ids = append(ids, per.ID)
	}
	if _, err := s.SaveUnit(ctx, UnitInput{Name: "网络安全与信息化部（专门安全管理机构）", EstablishedOn: "2021-10-15", HeadID: ids[0], ManagerID: ids[1]}); err != nil {
		return fmt.Errorf("demo unit: %w", err)
	}
	var posts []int64
	for _, p := range demoPosts {
		post, err := s.AddPost(ctx, p)
		if err != nil {
			return fmt.Errorf("demo post %s: %w", p.Name, err)
		}
		posts = append(posts, post.ID)
	}
	holders := []int{}
	for i, p := range demoStaff {
		if p.post < 0 {
			continue
		}
		holders = append(holders, i)
		if err := s.AddHolder(ctx, posts[p.post], Holder{PersonID: ids[i], Since: fmt.Sprintf("%d-01-01", y-3)}); err != nil {
			return fmt.Errorf("demo holder %s: %w", p.name, err)
		}
	}
	// Background checks: the head, the manager and every key-post holder passed one within
	// the last three years — except the database administrator, whose check of three years
	// and a month ago fell due a month ago (the one gap).
	vetted := append([]int{0, 1}, holders...)
	for n, i := range vetted {
		checked := now.AddDate(0, -(4 + 2*n), 0)
		if demoStaff[i].post == 3 {
			checked = now.AddDate(-3, -1, 0)
		}
		if _, err := s.AddVetting(ctx, ids[i], VettingInput{CheckedOn: day(checked), Result: Passed, NextDue: day(checked.AddDate(3, 0, 0)),
			Reference: fmt.Sprintf("审查〔%d〕%02d号", checked.Year(), n+1)}); err != nil {
			return fmt.Errorf("demo check of %s: %w", demoStaff[i].name, err)
		}
	}
	for n, i := range holders {
		if _, err := s.AddCertification(ctx, ids[i], CertificationInput{Name: "注册信息安全专业人员（CISP）", Issuer: "中国信息安全测评中心",
			Number: fmt.Sprintf("CNITSEC%d%04d", y-2, 311+n), ExpiresOn: fmt.Sprintf("%d-06-30", y+1+n%2)}); err != nil {
			return fmt.Errorf("demo certificate of %s: %w", demoStaff[i].name, err)
		}
	}
	// Training: last year (the year the duties judge) every one had a day, the key-post
	// holders four; this year's first course is held too.
	all := make([]int, len(ids))
	for i := range all {
		all[i] = i
	}
	courses := []struct {
		in  CourseInput
		who []int
	}{
		{CourseInput{Title: "《关键信息基础设施安全保护条例》专题培训", HeldOn: fmt.Sprintf("%d-03-18", y-1), Hours: 80, Provider: "本单位网络安全与信息化部"}, all},
		{CourseInput{Title: "网络安全等级保护2.0技术实操", HeldOn: fmt.Sprintf("%d-06-10", y-1), Hours: 160, Provider: "省电力公司培训中心"}, holders},
		{CourseInput{Title: "网络安全事件应急响应演练复盘", HeldOn: fmt.Sprintf("%d-11-05", y-1), Hours: 80, Provider: "本单位网络安全与信息化部"}, holders},
		{CourseInput{Title: "数据安全与个人信息保护合规培训", HeldOn: fmt.Sprintf("%d-04-22", y), Hours: 80, Provider: "本单位网络安全与信息化部"}, all},
	}
	for _, c := range courses {
		if c.in.HeldOn > day(now) {
			continue // early in the year: this year's course has not been held yet
		}
		course, err := s.AddCourse(ctx, c.in)
		if err != nil {
			return fmt.Errorf("demo course %s: %w", c.in.Title, err)
		}
		for _, i := range c.who {
			if err := s.Attend(ctx, Attendance{CourseID: course.ID, PersonID: ids[i]}); err != nil {
				return fmt.Errorf("demo attendance: %w", err)
			}
		}
	}
	return nil
}
