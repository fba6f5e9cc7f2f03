"""The monitoring-and-evaluation (monev) cycle of a city: unit workbooks out (`workbooks`), returned
workbooks merged into a monitoring snapshot (`snapshot`), and the action log that carries over from
meeting to meeting (`actions`). The meeting brief and dashboard build on these (`brief`, `dashboard`)."""
