"""Demo guide content for Pemilu 2024 and Pilkada 2024 in Bahasa Indonesia and English.

Written by a KPU editor and approved by a Bawaslu editor through the same service calls the
API uses, so the demo shows the four-eyes rule and version history at work. Dates of the
calendar come from the election data files; procedures follow KPU's published rules. The
phone numbers and candidate lists are demo data that editors must check against
kpu.go.id and infopemilu.kpu.go.id before a real deployment.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from salingjaga.auth.models import User
from salingjaga.auth.principal import Principal
from salingjaga.auth.service import principal_for_user
from salingjaga.core.settings import Settings
from salingjaga.core.timeutil import utcnow
from salingjaga.guide.models import GuidePage
from salingjaga.guide.reach import record_events
from salingjaga.guide.schemas import DraftIn, EventIn
from salingjaga.guide.service import approve, create_draft

AUTHOR = "Putri (KPU editor)"
APPROVER = "Hadi (Bawaslu editor)"

_HOTLINES_ID = """\
Laporkan dugaan pelanggaran pemilu ke **Bawaslu**, dan tanyakan hal teknis pemungutan suara
ke **KPU**.

- Portal pengaduan Bawaslu: [sigaplapor.bawaslu.go.id](https://sigaplapor.bawaslu.go.id)
- Bawaslu RI: [bawaslu.go.id](https://www.bawaslu.go.id), telepon
  [(021) 3905889](tel:+62213905889)
- KPU RI: [kpu.go.id](https://www.kpu.go.id), telepon [(021) 31937223](tel:+622131937223)
- Keadaan darurat di sekitar TPS: [112](tel:112) · Polisi: [110](tel:110)

Jangan sebarkan informasi yang belum pasti. Cek dulu ke sumber resmi.
"""

_HOTLINES_EN = """\
Report suspected election violations to **Bawaslu** (the election supervisory body) and ask
**KPU** (the election commission) about voting procedures.

- Bawaslu complaints portal: [sigaplapor.bawaslu.go.id](https://sigaplapor.bawaslu.go.id)
- Bawaslu RI: [bawaslu.go.id](https://www.bawaslu.go.id), phone
  [(021) 3905889](tel:+62213905889)
- KPU RI: [kpu.go.id](https://www.kpu.go.id), phone [(021) 31937223](tel:+622131937223)
- Emergencies near a polling station: [112](tel:112) · Police: [110](tel:110)

Do not share information you are not sure about. Check the official source first.
"""

_VOTER_LIST_ID = """\
Pastikan nama Anda ada di **Daftar Pemilih Tetap (DPT)**:

1. Buka [cekdptonline.kpu.go.id](https://cekdptonline.kpu.go.id).
2. Masukkan **NIK** (16 angka di e-KTP Anda) dan tekan *Pencarian*.
3. Anda akan melihat nama, TPS dan alamat TPS tempat Anda memilih.

Belum terdaftar? Datangi Panitia Pemungutan Suara (PPS) di kelurahan/desa Anda. Pada hari
pemungutan suara, pemilih yang punya e-KTP tetapi tidak ada di DPT dapat memilih di TPS
sesuai alamat e-KTP pada **satu jam terakhir** (12.00 sampai 13.00 waktu setempat) sebagai
Daftar Pemilih Khusus (DPK), selama surat suara masih tersedia.

Akan berada di tempat lain pada hari pemungutan suara? Ajukan **pindah memilih** di PPS atau
KPU kabupaten/kota sebelum batas waktunya (lihat tanggal penting).
"""

_VOTER_LIST_EN = """\
Make sure your name is on the **final voter list (DPT)**:

1. Open [cekdptonline.kpu.go.id](https://cekdptonline.kpu.go.id).
2. Enter your **NIK** (the 16-digit number on your e-KTP) and press *Pencarian* (search).
3. You will see your name, your polling station (TPS) and its address.

Not registered? Go to the voting committee (PPS) of your village or urban ward. On voting
day, a voter with an e-KTP who is not on the list may still vote at the polling station of
the address on the e-KTP during the **last hour** (12:00 to 13:00 local time) as a special
voter (DPK), while ballots remain.

Away on voting day? Apply to **vote elsewhere** (pindah memilih) at the PPS or the regency/
city KPU before the deadline (see the key dates).
"""

_STATION_ID = """\
- Nomor dan alamat TPS tertera di **surat pemberitahuan (formulir C Pemberitahuan)** dan di
  [cekdptonline.kpu.go.id](https://cekdptonline.kpu.go.id).
- TPS buka pukul **07.00 sampai 13.00** waktu setempat.
- Pemilih dengan disabilitas boleh didampingi orang pilihannya; pendamping wajib merahasiakan
  pilihan pemilih.
- Di bilik suara, **jangan memotret** surat suara yang sudah dicoblos.
- Setelah TPS ditutup, penghitungan suara dilakukan terbuka: siapa pun boleh menyaksikannya.
"""

_STATION_EN = """\
- Your polling station (TPS) number and address are on the **notification letter (form C
  Pemberitahuan)** and at [cekdptonline.kpu.go.id](https://cekdptonline.kpu.go.id).
- Polling stations are open from **07:00 to 13:00** local time.
- Voters with disabilities may bring a helper of their choice, who must keep the vote secret.
- In the booth, **do not photograph** your marked ballot.
- Counting after the station closes is public: anyone may watch it.
"""

GUIDES: dict[str, dict[str, list[dict[str, Any]]]] = {
    "pemilu-2024": {
        "id": [
            {"kind": "section", "key": "key-dates", "title": "Tanggal penting",
             "body": "Seluruh tanggal dalam Waktu Indonesia Barat (WIB). Tahapan lengkap ada di "
                     "[kpu.go.id](https://www.kpu.go.id).",
             "data": {"dates": [
                 {"date": "2024-01-15", "label": "Batas akhir pengajuan pindah memilih"},
                 {"date": "2024-03-20", "label": "Penetapan hasil Pemilu secara nasional"}]}},
            {"kind": "section", "key": "how-to-vote", "title": "Cara mencoblos",
             "body": """\
Pada 14 Februari 2024 Anda menerima **lima surat suara**:

| Warna | Untuk memilih |
|---|---|
| Abu-abu | Presiden dan Wakil Presiden |
| Kuning | DPR RI |
| Merah | DPD RI |
| Biru | DPRD Provinsi |
| Hijau | DPRD Kabupaten/Kota |

1. Bawa **surat pemberitahuan** dan **e-KTP** ke TPS.
2. Serahkan ke petugas KPPS, lalu tunggu nama Anda dipanggil.
3. Di bilik suara, coblos **satu kali** pada setiap surat suara: pada nomor, nama, foto
   pasangan calon, atau tanda gambar partai.
4. Lipat kembali surat suara dan masukkan ke kotak sesuai warnanya.
5. Celupkan jari ke **tinta** sebagai tanda Anda sudah memilih.

Surat suara yang dicoblos lebih dari satu pasangan calon menjadi tidak sah.
"""},
            {"kind": "section", "key": "voter-list", "title": "Cek daftar pemilih",
             "body": _VOTER_LIST_ID},
            {"kind": "section", "key": "polling-station", "title": "Informasi TPS",
             "body": _STATION_ID},
            {"kind": "section", "key": "candidates", "title": "Pasangan calon presiden dan wakil presiden",
             "body": """\
Menurut nomor urut yang ditetapkan KPU:

1. **Anies Rasyid Baswedan dan Abdul Muhaimin Iskandar**
2. **Prabowo Subianto dan Gibran Rakabuming Raka**
3. **Ganjar Pranowo dan Mahfud MD**

Profil, visi dan misi resmi: [infopemilu.kpu.go.id](https://infopemilu.kpu.go.id). Daftar calon
anggota DPR, DPD dan DPRD di daerah Anda juga ada di sana.
"""},
            {"kind": "section", "key": "hotlines", "title": "Layanan resmi dan pengaduan",
             "body": _HOTLINES_ID},
            {"kind": "tag", "key": "notice-tag",
             "title": "Dapatkan info resmi seputar Pemilu 2024 dari KPU dan Bawaslu", "body": ""},
        ],
        "en": [
            {"kind": "section", "key": "key-dates", "title": "Key dates",
             "body": "All dates are in Western Indonesian Time (WIB). The full timetable is at "
                     "[kpu.go.id](https://www.kpu.go.id).",
             "data": {"dates": [
                 {"date": "2024-01-15", "label": "Deadline to apply to vote elsewhere"},
                 {"date": "2024-03-20", "label": "National results declared"}]}},
            {"kind": "section", "key": "how-to-vote", "title": "How to vote",
             "body": """\
On 14 February 2024 you receive **five ballots**:

| Colour | To elect |
|---|---|
| Grey | President and Vice President |
| Yellow | House of Representatives (DPR) |
| Red | Regional Representative Council (DPD) |
| Blue | Provincial council (DPRD Provinsi) |
| Green | Regency/city council (DPRD Kabupaten/Kota) |

1. Bring your **notification letter** and your **e-KTP** to the polling station.
2. Hand them to the KPPS officer and wait until your name is called.
3. In the booth, punch **once** on each ballot: on the number, name or photo of a candidate
   pair, or on a party's symbol.
4. Fold each ballot again and put it in the box of its colour.
5. Dip a finger in the **ink** to show you have voted.

A ballot punched for more than one candidate pair is invalid.
"""},
            {"kind": "section", "key": "voter-list", "title": "Check the voter list",
             "body": _VOTER_LIST_EN},
            {"kind": "section", "key": "polling-station", "title": "Polling stations",
             "body": _STATION_EN},
            {"kind": "section", "key": "candidates",
             "title": "Presidential and vice-presidential candidate pairs",
             "body": """\
In the ballot order set by KPU:

1. **Anies Rasyid Baswedan and Abdul Muhaimin Iskandar**
2. **Prabowo Subianto and Gibran Rakabuming Raka**
3. **Ganjar Pranowo and Mahfud MD**

Official profiles, visions and programmes: [infopemilu.kpu.go.id](https://infopemilu.kpu.go.id),
which also lists the DPR, DPD and DPRD candidates of your area.
"""},
            {"kind": "section", "key": "hotlines", "title": "Official services and complaints",
             "body": _HOTLINES_EN},
            {"kind": "tag", "key": "notice-tag",
             "title": "Get official info about the 2024 General Election from KPU and Bawaslu",
             "body": ""},
        ],
    },
    "pilkada-2024": {
        "id": [
            {"kind": "section", "key": "key-dates", "title": "Tanggal penting",
             "body": "Pilkada serentak memilih gubernur di 37 provinsi serta bupati dan wali kota "
                     "di 508 kabupaten/kota. Seluruh tanggal dalam WIB.",
             "data": {"dates": [
                 {"date": "2024-09-22", "label": "Pengundian nomor urut pasangan calon"}]}},
            {"kind": "section", "key": "how-to-vote", "title": "Cara mencoblos",
             "body": """\
Pada 27 November 2024 Anda menerima **dua surat suara**: satu untuk **gubernur dan wakil
gubernur**, satu untuk **bupati dan wakil bupati** atau **wali kota dan wakil wali kota**.
(Di DKI Jakarta hanya pemilihan gubernur; di DI Yogyakarta hanya pemilihan bupati/wali kota.)

1. Bawa **surat pemberitahuan** dan **e-KTP** ke TPS.
2. Coblos **satu kali** pada nomor, nama atau foto satu pasangan calon di setiap surat suara.
3. Lipat kembali, masukkan ke kotak suara, dan celupkan jari ke tinta.

Di daerah dengan **satu pasangan calon**, surat suara memuat pasangan calon dan satu kolom
kosong: Anda boleh mencoblos salah satunya.
"""},
            {"kind": "section", "key": "voter-list", "title": "Cek daftar pemilih",
             "body": _VOTER_LIST_ID},
            {"kind": "section", "key": "polling-station", "title": "Informasi TPS",
             "body": _STATION_ID},
            {"kind": "section", "key": "hotlines", "title": "Layanan resmi dan pengaduan",
             "body": _HOTLINES_ID},
            {"kind": "tag", "key": "notice-tag",
             "title": "Dapatkan info resmi seputar Pilkada 2024 dari KPU dan Bawaslu", "body": ""},
        ],
        "en": [
            {"kind": "section", "key": "key-dates", "title": "Key dates",
             "body": "The simultaneous regional elections choose governors in 37 provinces and "
                     "regents and mayors in 508 regencies and cities. All dates are in WIB.",
             "data": {"dates": [
                 {"date": "2024-09-22", "label": "Ballot numbers drawn for candidate pairs"}]}},
            {"kind": "section", "key": "how-to-vote", "title": "How to vote",
             "body": """\
On 27 November 2024 you receive **two ballots**: one for **governor and vice governor**, one
for **regent and vice regent** or **mayor and vice mayor**. (Jakarta elects only a governor;
DI Yogyakarta elects only regents and mayors.)

1. Bring your **notification letter** and your **e-KTP** to the polling station.
2. Punch **once** on the number, name or photo of one candidate pair on each ballot.
3. Fold the ballots, put them in the boxes and dip a finger in the ink.

Where only **one candidate pair** stands, the ballot shows that pair and an empty box: you
may punch either.
"""},
            {"kind": "section", "key": "voter-list", "title": "Check the voter list",
             "body": _VOTER_LIST_EN},
            {"kind": "section", "key": "polling-station", "title": "Polling stations",
             "body": _STATION_EN},
            {"kind": "section", "key": "hotlines", "title": "Official services and complaints",
             "body": _HOTLINES_EN},
            {"kind": "tag", "key": "notice-tag",
             "title": "Get official info about the 2024 Regional Elections from KPU and Bawaslu",
             "body": ""},
        ],
    },
}

# Candidate pairs per region (text only), as KPU numbered them; the same list in both
# languages, with the race named in each.
REGION_CANDIDATES: dict[str, dict[str, Any]] = {
    "31": {"race": {"id": "Pemilihan Gubernur dan Wakil Gubernur",
                    "en": "Governor and vice-governor election"},
           "candidates": [
               {"number": 1, "names": "Ridwan Kamil - Suswono"},
               {"number": 2, "names": "Dharma Pongrekun - Kun Wardana",
                "nominated_by": "perseorangan (independent)"},
               {"number": 3, "names": "Pramono Anung - Rano Karno"}]},
    "32": {"race": {"id": "Pemilihan Gubernur dan Wakil Gubernur",
                    "en": "Governor and vice-governor election"},
           "candidates": [
               {"number": 1, "names": "Acep Adang Ruhiat - Gitalis Dwi Natarina"},
               {"number": 2, "names": "Jeje Wiradinata - Ronal Surapradja"},
               {"number": 3, "names": "Ahmad Syaikhu - Ilham Akbar Habibie"},
               {"number": 4, "names": "Dedi Mulyadi - Erwan Setiawan"}]},
    "32.73": {"race": {"id": "Pemilihan Wali Kota dan Wakil Wali Kota",
                       "en": "Mayor and vice-mayor election"},
              "candidates": [
                  {"number": 1, "names": "Haru Suandharu - Ridwan Dhani Wirianata"},
                  {"number": 2, "names": "Muhammad Farhan - Erwin"},
                  {"number": 3, "names": "Dandan Riza Wardana - Arif Wijaya"},
                  {"number": 4, "names": "Arfi Rafnialdi - Yena Iskandar Ma'soem"}]},
    "33": {"race": {"id": "Pemilihan Gubernur dan Wakil Gubernur",
                    "en": "Governor and vice-governor election"},
           "candidates": [
               {"number": 1, "names": "Andika Perkasa - Hendrar Prihadi"},
               {"number": 2, "names": "Ahmad Luthfi - Taj Yasin Maimoen"}]},
    "35": {"race": {"id": "Pemilihan Gubernur dan Wakil Gubernur",
                    "en": "Governor and vice-governor election"},
           "candidates": [
               {"number": 1, "names": "Luluk Nur Hamidah - Lukmanul Khakim"},
               {"number": 2, "names": "Khofifah Indar Parawansa - Emil Elestianto Dardak"},
               {"number": 3, "names": "Tri Rismaharini - Zahrul Azhar Asumta"}]},
}

_REGION_NOTE = {
    "id": "Profil, visi dan misi pasangan calon: "
          "[infopemilu.kpu.go.id](https://infopemilu.kpu.go.id). Laporkan dugaan pelanggaran "
          "kampanye ke Bawaslu setempat melalui "
          "[sigaplapor.bawaslu.go.id](https://sigaplapor.bawaslu.go.id).",
    "en": "Candidate profiles, visions and programmes: "
          "[infopemilu.kpu.go.id](https://infopemilu.kpu.go.id). Report suspected campaign "
          "violations to the local Bawaslu at "
          "[sigaplapor.bawaslu.go.id](https://sigaplapor.bawaslu.go.id).",
}
_REGION_TITLE = {"id": "Pasangan calon", "en": "Candidate pairs"}


def demo_drafts() -> list[tuple[str, DraftIn]]:
    """Every demo page as (election, draft)."""
    out: list[tuple[str, DraftIn]] = []
    for election, langs in GUIDES.items():
        for lang, pages in langs.items():
            for spec in pages:
                out.append((election, DraftIn.model_validate({"lang": lang, **spec})))
    for code, spec in REGION_CANDIDATES.items():
        for lang in ("id", "en"):
            out.append(("pilkada-2024", DraftIn.model_validate({
                "lang": lang, "kind": "region", "key": code, "title": _REGION_TITLE[lang],
                "body": _REGION_NOTE[lang],
                "data": {"race": spec["race"][lang], "candidates": spec["candidates"]}})))
    return out


def publish_demo_guides(session: Session, author: Principal, approver: Principal) -> int:
    """Write every demo page as ``author`` and approve it as ``approver``; skipped when the
    guide already has pages. Returns the number of versions published."""
    if session.scalar(select(GuidePage.id).limit(1)) is not None:
        return 0
    count = 0
    for election, draft in demo_drafts():
        version, _page = create_draft(session, author, election, draft)
        approve(session, approver, election, version.id)
        count += 1
    return count


def demo_views() -> list[EventIn]:
    """Guide views from the app today, so the reach figures are not empty in the demo."""
    regions = ["32.73", "32", "35", "31", "33", None]
    now = utcnow()
    return [EventIn(type="guide_view", election="pilkada-2024" if i % 3 else "pemilu-2024",
                    region=regions[i % len(regions)], user=f"demo-viewer-{i % 23}", at=now)
            for i in range(60)]


def load(session: Session, settings: Settings, ctx: dict[str, Any]) -> None:
    """Demo hook: the KPU editor writes, the Bawaslu editor approves; the app reports some
    guide views."""
    users = ctx.get("users", {})
    author = session.get(User, users.get(AUTHOR, ""))
    approver = session.get(User, users.get(APPROVER, ""))
    if author is None or approver is None:
        return
    if publish_demo_guides(session, principal_for_user(author), principal_for_user(approver)):
        record_events(session, demo_views(), idempotency_key="demo-guide-views")
        _open_draft(session, principal_for_user(author))


def _open_draft(session: Session, author: Principal) -> None:
    """A revision the KPU editor has written and a second editor has yet to approve, so
    the review queue and the editor's home show a draft awaiting approval."""
    election, first = next((e, d) for e, d in demo_drafts() if e == "pilkada-2024" and d.lang == "id")
    create_draft(session, author, election, first.model_copy(update={
        "body": first.body + "\n\nPembaruan: jam buka TPS 07.00-13.00 WIB di seluruh wilayah."}))
