package calendar_test

import (
	"fmt"
	"time"

	"ciiguard/internal/calendar"
)

// A filing received on the Friday before National Day 2025 must be certified within 10
// working days: the count skips the eight-day holiday and includes both make-up days.
func ExampleAddWorkingDays() {
	received := time.Date(2025, 9, 26, 15, 0, 0, 0, calendar.Shanghai)
	due, err := calendar.AddWorkingDays(received, 10)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(due.Format("2006-01-02 15:04"))
	// Output: 2025-10-16 15:00
}

// A strict calendar refuses years without a State Council schedule; the shared Official
// calendar counts them on weekends only and reports them as missing (provisional).
func ExampleWeekendsOnly() {
	start := time.Date(2031, 3, 7, 9, 0, 0, 0, calendar.Shanghai) // a Friday
	strict, _ := calendar.New()
	if _, err := strict.AddWorkingDays(start, 1); err != nil {
		fmt.Println(err)
	}
	next, _ := calendar.Official().AddWorkingDays(start, 1)
	fmt.Println(next.Format("2006-01-02"), calendar.Official().MissingYears(start, next))
	// Output:
	// calendar: no official schedule for 2031; known years: 2024, 2025, 2026; add the State Council's schedule or use weekends-only mode
	// 2031-03-10 [2031]
}
