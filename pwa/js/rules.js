/**
 * GENERATED from sync/ by `python -m sync.shared_rules`: do not edit by hand.
 * The server enforces these same tables; tests/sync/test_shared_rules.py fails when this copy is stale.
 */
export const RULES = Object.freeze({
  "roles": [
    "staff",
    "tra_rep",
    "contractor"
  ],
  "statuses": [
    "reported",
    "acknowledged",
    "in_progress",
    "fixed",
    "confirmed",
    "disputed",
    "wont_fix"
  ],
  "open_statuses": [
    "reported",
    "acknowledged",
    "in_progress",
    "disputed"
  ],
  "resolved_statuses": [
    "fixed",
    "confirmed",
    "wont_fix"
  ],
  "closed_statuses": [
    "confirmed",
    "wont_fix"
  ],
  "transitions": [
    {
      "from": "reported",
      "to": "acknowledged",
      "roles": {
        "staff": "yes"
      },
      "needs_note": false,
      "needs_owner_and_due_date": true
    },
    {
      "from": "reported",
      "to": "wont_fix",
      "roles": {
        "staff": "yes"
      },
      "needs_note": true,
      "needs_owner_and_due_date": false
    },
    {
      "from": "acknowledged",
      "to": "in_progress",
      "roles": {
        "staff": "yes",
        "contractor": "assignee"
      },
      "needs_note": false,
      "needs_owner_and_due_date": false
    },
    {
      "from": "acknowledged",
      "to": "fixed",
      "roles": {
        "staff": "yes",
        "contractor": "assignee"
      },
      "needs_note": true,
      "needs_owner_and_due_date": false
    },
    {
      "from": "acknowledged",
      "to": "wont_fix",
      "roles": {
        "staff": "yes"
      },
      "needs_note": true,
      "needs_owner_and_due_date": false
    },
    {
      "from": "in_progress",
      "to": "fixed",
      "roles": {
        "staff": "yes",
        "contractor": "assignee"
      },
      "needs_note": true,
      "needs_owner_and_due_date": false
    },
    {
      "from": "in_progress",
      "to": "wont_fix",
      "roles": {
        "staff": "yes"
      },
      "needs_note": true,
      "needs_owner_and_due_date": false
    },
    {
      "from": "fixed",
      "to": "confirmed",
      "roles": {
        "tra_rep": "yes"
      },
      "needs_note": false,
      "needs_owner_and_due_date": false
    },
    {
      "from": "fixed",
      "to": "disputed",
      "roles": {
        "tra_rep": "yes"
      },
      "needs_note": true,
      "needs_owner_and_due_date": false
    },
    {
      "from": "disputed",
      "to": "in_progress",
      "roles": {
        "staff": "yes",
        "contractor": "assignee"
      },
      "needs_note": false,
      "needs_owner_and_due_date": false
    },
    {
      "from": "disputed",
      "to": "fixed",
      "roles": {
        "staff": "yes",
        "contractor": "assignee"
      },
      "needs_note": true,
      "needs_owner_and_due_date": false
    },
    {
      "from": "disputed",
      "to": "wont_fix",
      "roles": {
        "staff": "yes"
      },
      "needs_note": true,
      "needs_owner_and_due_date": false
    },
    {
      "from": "wont_fix",
      "to": "reported",
      "roles": {
        "staff": "yes"
      },
      "needs_note": false,
      "needs_owner_and_due_date": false
    }
  ],
  "permissions": {
    "issue.create": {
      "staff": "yes",
      "tra_rep": "yes"
    },
    "issue.update": {
      "staff": "yes",
      "tra_rep": "yes"
    },
    "issue.comment": {
      "staff": "yes",
      "tra_rep": "yes",
      "contractor": "assignee"
    },
    "issue.withdraw": {
      "staff": "yes",
      "tra_rep": "raiser"
    },
    "photo.attach": {
      "staff": "yes",
      "tra_rep": "yes",
      "contractor": "assignee"
    },
    "inspection.create": {
      "staff": "yes",
      "tra_rep": "yes"
    },
    "inspection.update": {
      "staff": "yes",
      "tra_rep": "yes"
    },
    "issue.merge": {
      "staff": "yes"
    },
    "issue.follow": {
      "staff": "yes",
      "tra_rep": "yes",
      "contractor": "assignee"
    },
    "inspection.grade": {
      "staff": "yes",
      "tra_rep": "yes"
    },
    "inspection.recheck": {
      "staff": "yes",
      "tra_rep": "yes"
    },
    "estate.grading_scheme": {
      "staff": "yes"
    },
    "meeting.create": {
      "staff": "yes",
      "tra_rep": "yes"
    },
    "meeting.issue": {
      "staff": "yes",
      "tra_rep": "yes"
    }
  },
  "staff_only_fields": [
    "assignee_id",
    "due_date",
    "owner_id"
  ],
  "categories": [
    "internal_cleaning",
    "external_cleaning",
    "bin_store",
    "fly_tipping",
    "graffiti",
    "grounds",
    "hard_landscape",
    "lighting",
    "communal_repairs",
    "lifts",
    "fire_safety",
    "pests",
    "play_area",
    "signage",
    "car_park",
    "abandoned_vehicle",
    "tenancy_breach",
    "other"
  ],
  "priorities": [
    "low",
    "normal",
    "high",
    "urgent"
  ],
  "mail_modes": [
    "immediate",
    "daily",
    "none"
  ],
  "grading": {
    "default_scheme": "a_to_d",
    "schemes": {
      "a_to_d": {
        "grades": [
          "A",
          "B",
          "C",
          "D"
        ],
        "labels": {
          "A": "A – excellent",
          "B": "B – good",
          "C": "C – poor or average",
          "D": "D – very poor"
        }
      },
      "housemark": {
        "grades": [
          "good",
          "satisfactory",
          "poor",
          "very_poor"
        ],
        "labels": {
          "good": "Good",
          "satisfactory": "Satisfactory",
          "poor": "Poor",
          "very_poor": "Very poor"
        }
      },
      "traffic_light": {
        "grades": [
          "green",
          "amber",
          "red"
        ],
        "labels": {
          "green": "Green",
          "amber": "Amber",
          "red": "Red"
        }
      },
      "met_not_met": {
        "grades": [
          "met",
          "not_met"
        ],
        "labels": {
          "met": "Met",
          "not_met": "Not met"
        }
      }
    },
    "elements": [
      "internal_cleaning",
      "external_cleaning",
      "bin_store",
      "fly_tipping",
      "graffiti",
      "grounds",
      "hard_landscape",
      "lighting",
      "communal_repairs",
      "lifts",
      "fire_safety",
      "pests",
      "play_area",
      "signage",
      "car_park",
      "abandoned_vehicle"
    ],
    "recheck_outcomes": [
      "still_there",
      "looks_fixed"
    ]
  },
  "shared_walk": {
    "namespace": "8f3c2b1e-5a47-4d0e-9b6a-3e1f7c9d2a44",
    "name_format": "estatewalk:walk:{estate_id}:{date}:{code}",
    "code_alphabet": "0123456789ABCDEFGHJKMNPQRSTVWXYZ",
    "code_length": 6,
    "code_check_weights": [
      1,
      3,
      5,
      7,
      9
    ]
  },
  "languages": {
    "default": "en-GB",
    "list": [
      {
        "code": "en-GB",
        "name": "English",
        "english_name": "English",
        "dir": "ltr",
        "catalogue": "en",
        "formats": "en-GB"
      },
      {
        "code": "tr",
        "name": "Türkçe",
        "english_name": "Turkish",
        "dir": "ltr",
        "catalogue": "tr",
        "formats": "tr"
      },
      {
        "code": "kmr",
        "name": "Kurmancî",
        "english_name": "Kurdish (Kurmanji)",
        "dir": "ltr",
        "catalogue": "kmr",
        "formats": "ku"
      },
      {
        "code": "ckb",
        "name": "کوردیی ناوەندی",
        "english_name": "Kurdish (Sorani)",
        "dir": "rtl",
        "catalogue": "ckb",
        "formats": "ckb"
      },
      {
        "code": "vi",
        "name": "Tiếng Việt",
        "english_name": "Vietnamese",
        "dir": "ltr",
        "catalogue": "vi",
        "formats": "vi"
      },
      {
        "code": "so",
        "name": "Soomaali",
        "english_name": "Somali",
        "dir": "ltr",
        "catalogue": "so",
        "formats": "so"
      },
      {
        "code": "zh-Hans",
        "name": "简体中文",
        "english_name": "Chinese (Simplified)",
        "dir": "ltr",
        "catalogue": "zh-Hans",
        "formats": "zh-Hans"
      }
    ]
  },
  "limits": {
    "short_text": 500,
    "text": 20000,
    "mutations_per_push": 500,
    "changes_per_pull": 5000
  },
  "control_characters": "[\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]"
});
