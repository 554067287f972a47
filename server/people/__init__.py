"""Personal data: everything held about a person, exported as JSON, and erasure that keeps history readable."""
