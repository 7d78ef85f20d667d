"""Never listens: it only sleeps."""
import time

time.sleep(600)
