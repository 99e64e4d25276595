"""File readers: parse, validate and normalize; nothing is written until a file is valid."""
