package certificate

import (
	"fmt"
	"time"

	"attestation/internal/attestation"
)

// sampleURL is the verification URL of the sample certificates.
const sampleURL = "https://register.example.kz/certificates/2025-00042"

// sampleCertificate is a realistic certificate: an information system of a state body with hw rows
// of hardware and sw rows of software, taken from a package's lists, with Kazakh, Russian and
// English text throughout.
func sampleCertificate(hw, sw int) Certificate {
	issued := time.Date(2025, time.March, 14, 10, 30, 0, 0, time.UTC)
	return Certificate{
		Number:   "2025/00042",
		IssuedOn: issued,
		Object: Object{
			Name: "«Е-Әкімдік» ақпараттық жүйесі / Информационная система «Е-Акимат»",
			Kind: "state_is",
		},
		Owner: Owner{
			Name:           "«Қазақстан Республикасы Цифрлық даму министрлігі» ММ",
			IdentityNumber: "120540001238",
		},
		ValidityPeriod:      IndustrialOperation,
		InformationCategory: RestrictedInformation,
		Prohibitions: []Text{
			{
				KK: "сертификатталмаған ақпаратты криптографиялық қорғау құралдарын қолдануға",
				RU: "применять несертифицированные средства криптографической защиты информации",
				EN: "using uncertified means of cryptographic protection of information",
			},
			{
				KK: "серверлерді Қазақстан Республикасының аумағынан тыс орналастыруға",
				RU: "размещать серверы за пределами территории Республики Казахстан",
				EN: "placing servers outside the territory of the Republic of Kazakhstan",
			},
		},
		Act: Act{Number: "АО-17/2025", Date: time.Date(2025, time.February, 28, 0, 0, 0, 0, time.UTC),
			SignedBy: "STS SAULE, BIN 990140001234, certificate 03f1 (2025-02-28 09:15 UTC)"}, // issue 17
		AdditionalAct: &Act{Number: "ДАО-3/2025", Date: time.Date(2025, time.March, 7, 0, 0, 0, 0, time.UTC)},
		NotifiableChanges: []Text{
			{
				KK: "желілік топология және сыртқы желілермен қосылу нүктелері",
				RU: "сетевая топология и точки подключения к внешним сетям",
				EN: "the network topology and the points of connection to external networks",
			},
			{
				KK: "ақпаратты қорғау құралдарының құрамы мен нұсқалары",
				RU: "состав и версии средств защиты информации",
				EN: "the composition and versions of the means of information protection",
			},
		},
		Chairman: Chairman{
			Name: "Әбішев Шаһмардан Нұрланұлы",
			Position: Text{
				KK: "Ақпараттық қауіпсіздік комитетінің төрағасы",
				RU: "Председатель Комитета информационной безопасности",
				EN: "Chairman of the Information Security Committee",
			},
		},
		Hardware:        HardwareRows(sampleHardware(hw)),
		Software:        SoftwareRows(sampleSoftware(sw, hw)),
		VerificationURL: sampleURL,
		SHA256:          "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	}
}

// sampleHardware is n rows of Annex 5, with IP addresses (which the certificate leaves out).
func sampleHardware(n int) []attestation.HardwareItem {
	models := []string{"HPE ProLiant DL380 Gen10", "Cisco Catalyst 9300-48P", "Fortinet FortiGate 600E", "Dell PowerEdge R750", "Huawei OceanStor 5310"}
	places := []string{"Астана қ., Мәңгілік Ел д-лы, 8, №1 серверлік бөлме", "г. Алматы, пр. Абая, 52, серверная № 2"}
	items := make([]attestation.HardwareItem, n)
	for i := range items {
		items[i] = attestation.HardwareItem{
			ManufacturerModel:  models[i%len(models)],
			SerialNumber:       fmt.Sprintf("INV-%05d-ҚЗ", i+1),
			Location:           places[i%len(places)],
			Type:               "сервер / сервер / server",
			Purpose:            fmt.Sprintf("Дерекқорлар серверінің %d түйіні; узел %d кластера баз данных", i+1, i+1),
			Protection:         "идентификация және аутентификация, аудит; идентификация и аутентификация, аудит",
			IntegratedSoftware: "HPE iLO 5 v2.78",
			IPAddresses:        []string{fmt.Sprintf("10.0.%d.%d", i/250, i%250+1)},
		}
		if i%3 == 0 {
			items[i].CertificateNumber = fmt.Sprintf("KZ.ИБ.%04d-2024", i+1)
		}
	}
	return items
}

// sampleSoftware is n rows of Annex 6 installed on the hardware rows.
func sampleSoftware(n, hw int) []attestation.SoftwareItem {
	names := []string{"PostgreSQL", "Astra Linux Special Edition", "Kaspersky Endpoint Security", "nginx", "Apache Kafka"}
	items := make([]attestation.SoftwareItem, n)
	for i := range items {
		items[i] = attestation.SoftwareItem{
			Developer:   "ӘзірлеушіҮҰ-" + fmt.Sprint(i%7),
			Name:        fmt.Sprintf("%s (%d)", names[i%len(names)], i+1),
			Version:     fmt.Sprintf("%d.%d.%d", 10+i%5, i%10, i),
			InstalledOn: []string{fmt.Sprintf("INV-%05d-ҚЗ", i%max(hw, 1)+1)},
			Type:        "жүйелік / системное / system",
			Purpose:     fmt.Sprintf("Ғылыми-өңдеу қызметі %d; служба обработки %d", i+1, i+1),
			Protection:  "шифрлау (TLS 1.3); шифрование (TLS 1.3)",
		}
	}
	return items
}
