def commissioning_section(ctx):
    return None


def home_tiles(access, period):
    return []
