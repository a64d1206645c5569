-- Baseline: a plain GET of the URL's path (the bare ASP.NET Core server's /json), with the shared checks and report.
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")
