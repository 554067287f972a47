import datetime as dt


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def unix_millis(moment: dt.datetime | None = None) -> int:
    return int((moment or utcnow()).timestamp() * 1000)
