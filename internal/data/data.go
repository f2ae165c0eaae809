// Package data is the data capability: the organisation's data assets (what it holds, where,
// for whom, classified by GB/T 43697-2024), its transfers of data abroad routed to the right
// mechanism by the rules in force (CBDF 2024; the 2022 Measures before it), the mechanisms
// themselves with their clocks (standard contract filing, certification, CAC security
// assessment and its extension), personal-information protection impact assessments (PIPL
// Art. 55) kept at least three years (Art. 56) and separate consent (Art. 39), and the
// personal-information lifecycle: each asset's retention end and the deletion of its
// personal information then (PIPL Art. 47), with the proof's SHA-256, and the yearly
// personal-information self-inspection (PI13 Art. 16) and important-data risk report (NDSR
// 2024 Art. 33) as scheduled records with their reports and due clock, and leaks of personal
// information, each opening its incident through the kernel's Incidents contract. Its fact set
// `data` lets the catalog check the data-export and lifecycle duties on these records, and it fills the
// organisation's export head-counts from them instead of numbers typed into the profile.
package data
