"""Write webmap/translations/vi/LC_MESSAGES/messages.po from the extracted template.

Run: .venv/bin/pybabel extract -F babel.cfg -o /tmp/messages.pot webmap && .venv/bin/python scripts/translations_vi.py
"""

from pathlib import Path

from babel.messages.pofile import read_po, write_po

VI = {
    "LangNghe GIS: craft villages and industrial clusters": "LangNghe GIS: làng nghề và cụm công nghiệp",
    "Craft villages, industrial clusters, pollution and tourism routes of Vietnam":
        "Làng nghề, cụm công nghiệp, ô nhiễm và tuyến du lịch của Việt Nam",
    "This document": "Tài liệu này", "API definition": "Định nghĩa API", "Conformance classes": "Các lớp tuân thủ",
    "Collections": "Tập dữ liệu", "Craft villages": "Làng nghề", "Industrial clusters": "Cụm công nghiệp",
    "Pollution zones": "Vùng ô nhiễm", "Monitoring stations": "Trạm quan trắc", "Tourism routes": "Tuyến du lịch",
    "Villages per administrative unit": "Số làng nghề theo đơn vị hành chính", "Craft": "Nghề",
    "Recognition": "Công nhận", "Commune": "Xã/phường", "District": "Huyện/quận", "Province": "Tỉnh/thành phố",
    "Households": "Số hộ", "Workers": "Số lao động", "Opening hours": "Giờ mở cửa", "Visit (minutes)": "Thời gian tham quan (phút)",
    "OCOP products": "Sản phẩm OCOP", "stars": "sao", "Kind": "Loại", "Status": "Tình trạng", "Area (ha)": "Diện tích (ha)",
    "Occupancy (%)": "Tỷ lệ lấp đầy (%)", "Wastewater treatment": "Xử lý nước thải", "yes": "có", "no": "không",
    "unknown": "chưa rõ", "Search villages (e.g. bat trang)": "Tìm làng nghề (ví dụ: bat trang)",
    "No village found": "Không tìm thấy làng nghề", "Inside the drawn polygon": "Trong vùng đã vẽ",
    "Draw a polygon to list the villages, clusters and zones inside it":
        "Vẽ một vùng để xem các làng nghề, cụm công nghiệp và vùng ô nhiễm bên trong",
    "Basemap off: showing our layers only": "Đã tắt bản đồ nền: chỉ hiển thị các lớp dữ liệu",
    "Basemap unreachable: showing our layers only": "Không tải được bản đồ nền: chỉ hiển thị các lớp dữ liệu",
    "No administrative boundaries loaded": "Chưa nạp ranh giới hành chính", "Legend": "Chú giải",
    "Craft-village cluster": "Cụm công nghiệp làng nghề", "General cluster": "Cụm công nghiệp chung",
    "VN_AQI (hourly)": "VN_AQI (giờ)", "Latest values": "Giá trị mới nhất", "Limit": "Giới hạn",
    "synthetic data": "dữ liệu tổng hợp (không phải đo thật)", "unverified breakpoints": "ngưỡng chưa được kiểm chứng",
    "Parameter": "Thông số", "Stops": "Điểm dừng", "Theme": "Chủ đề", "min": "phút", "not listed": "chưa có thông tin",
    "Medium": "Môi trường", "No data": "Không có dữ liệu", "fewer": "ít hơn", "more": "nhiều hơn",
    "Village, high-polluting craft": "Làng nghề ô nhiễm cao", "Village, medium-polluting craft": "Làng nghề ô nhiễm trung bình",
    "Village, low-polluting craft": "Làng nghề ô nhiễm thấp", "planned": "quy hoạch", "operating": "đang hoạt động",
    "expanding": "đang mở rộng", "Planning": "Quy hoạch", "Environment": "Môi trường", "Tourism": "Du lịch",
    "Air, water and soil monitoring": "Quan trắc không khí, nước và đất",
    "Sample stations and values are synthetic, not real observations.":
        "Trạm và số liệu mẫu là dữ liệu tổng hợp, không phải số đo thật.",
    "Click a station": "Chọn một trạm", "Planner map": "Bản đồ quy hoạch",
    "Craft villages and industrial clusters": "Làng nghề và cụm công nghiệp", "Search": "Tìm kiếm",
    "Craft village tours": "Du lịch làng nghề", "Villages to visit": "Làng nghề nên ghé thăm",
    "Plan my day": "Lên lịch trình trong ngày", "Add to my day": "Thêm vào lịch trình", "Remove": "Bỏ",
    "Start: click the map (default: Hoàn Kiếm lake)": "Điểm xuất phát: bấm lên bản đồ (mặc định: hồ Hoàn Kiếm)",
    "Time for the day": "Thời gian trong ngày", "Transport": "Phương tiện", "Motorbike": "Xe máy",
    "Car": "Ô tô", "Walking": "Đi bộ", "Avoid pollution zones": "Tránh vùng ô nhiễm", "Download GPX": "Tải GPX",
    "Not visited": "Không kịp ghé", "Back at": "Về lúc", "km": "km", "Pick at least one village": "Hãy chọn ít nhất một làng",
    "hours": "giờ", "Planning…": "Đang lập lịch trình…", "Computed with": "Cách tính",
    "Inside pollution zones": "Đi qua vùng ô nhiễm", "without the option": "khi không bật tùy chọn",
    "Your day": "Lịch trình của bạn", "Alerts": "Cảnh báo", "peak": "đỉnh", "No alert": "Không có cảnh báo", "Printable day plan": "Bản in lịch trình",
    'Waiting to start…': 'Đang chờ bắt đầu…',
    'Running…': 'Đang chạy…',
    'Done': 'Xong',
    'Failed': 'Thất bại',
    'pass': 'đạt',
    'fail': 'không đạt',
    'Siting': 'Chọn địa điểm',
    'Relocation': 'Di dời',
    'Draw a polygon on the map first': 'Hãy vẽ một vùng trên bản đồ trước',
    'this server has no input for it': 'máy chủ chưa có dữ liệu đầu vào cho tiêu chí này',
    'Inputs': 'Dữ liệu đầu vào',
    'No saved scenario yet': 'Chưa có kịch bản nào được lưu',
    'Stored clusters': 'Các cụm công nghiệp đã có',
    'Candidates of siting': 'Các vị trí đề xuất của lần chọn địa điểm',
    'candidates': 'vị trí đề xuất',
    'Candidate': 'Vị trí đề xuất',
    'score': 'điểm',
    'Suitability': 'Mức độ phù hợp',
    'the best candidate stays first when any weight moves by 20 percent': 'vị trí tốt nhất vẫn đứng đầu khi bất kỳ trọng số nào thay đổi 20 phần trăm',
    'the best candidate changes when a weight moves by 20 percent': 'vị trí tốt nhất thay đổi khi một trọng số thay đổi 20 phần trăm',
    'Demand covered': 'Nhu cầu được đáp ứng',
    'commute mean / max': 'thời gian đi lại trung bình / tối đa',
    'road network': 'mạng lưới đường',
    'straight line': 'đường chim bay',
    'Printable report': 'Báo cáo để in',
    'siting': 'chọn địa điểm',
    'relocation': 'di dời',
    'Decree 32 check': 'kiểm tra theo Nghị định 32',
    'Near a road': 'Gần đường giao thông',
    'Near the polluting villages': 'Gần các làng nghề gây ô nhiễm',
    'Away from housing': 'Xa khu dân cư',
    'Away from schools and clinics': 'Xa trường học và cơ sở y tế',
    'Flat land': 'Đất bằng phẳng',
    'Above flood-prone ground': 'Cao hơn vùng trũng dễ ngập',
    'Compatible land use': 'Mục đích sử dụng đất phù hợp',
    'Site a new cluster': 'Chọn địa điểm cho cụm công nghiệp mới',
    'Cluster kind': 'Loại cụm công nghiệp',
    'Cell size (m)': 'Kích thước ô (m)',
    'Weights (sum 1)': 'Trọng số (tổng bằng 1)',
    'Study area: the drawn rectangle, or else the map view': 'Vùng nghiên cứu: hình chữ nhật đã vẽ, nếu không thì khung nhìn bản đồ',
    'Run suitability': 'Tính mức độ phù hợp',
    'Relocate polluting workshops': 'Di dời các cơ sở sản xuất gây ô nhiễm',
    'Model': 'Mô hình',
    'p-median: least total travel': 'p-median: tổng quãng đường đi lại nhỏ nhất',
    'Maximal coverage within a commute': 'Phủ tối đa trong thời gian đi lại cho phép',
    'Sites to open': 'Số địa điểm cần mở',
    'Maximum commute (min)': 'Thời gian đi lại tối đa (phút)',
    'Candidate sites': 'Các địa điểm ứng viên',
    'Respect site capacity (ha)': 'Tôn trọng sức chứa của địa điểm (ha)',
    'Run relocation': 'Tính phương án di dời',
    'Check a drawn cluster (Decree 32/2024)': 'Kiểm tra cụm công nghiệp đã vẽ (Nghị định 32/2024)',
    'Check the drawn polygon': 'Kiểm tra vùng đã vẽ',
    'Scenarios': 'Kịch bản',
    'Planner report': 'Báo cáo quy hoạch',
    'Print': 'In',
    'Candidates': 'Các vị trí đề xuất',
    'threshold': 'ngưỡng',
    'Weights from': 'Nguồn trọng số',
    'Criterion': 'Tiêu chí',
    'Weight': 'Trọng số',
    'Transform': 'Hàm chuẩn hóa',
    'Excluded by constraints (cells)': 'Bị loại bởi các ràng buộc (số ô)',
    'Sensitivity: ranks when a weight moves by 20 percent': 'Độ nhạy: thứ hạng khi một trọng số thay đổi 20 phần trăm',
    'The leader stays first in every case': 'Vị trí dẫn đầu giữ hạng nhất trong mọi trường hợp',
    'The leader changes in at least one case': 'Vị trí dẫn đầu thay đổi trong ít nhất một trường hợp',
    'Notes': 'Ghi chú',
    'commute': 'thời gian đi lại',
    'Travel cost': 'Chi phí đi lại',
    'Rule': 'Quy định',
    'Result': 'Kết quả',
    'Numbers used': 'Số liệu sử dụng',
    'Source': 'Nguồn',
    'unverified': 'chưa kiểm chứng',
    'Sites': 'Địa điểm',
    'Assignments': 'Phân bổ',
    'Parameters and inputs': 'Tham số và dữ liệu đầu vào',
    'Villages: those in the drawn rectangle, or else in the map view': 'Làng nghề: trong hình chữ nhật đã vẽ, nếu không thì trong khung nhìn bản đồ',
    'top candidates': 'các vị trí đề xuất hàng đầu',
    'Pollution surfaces': 'Bề mặt ô nhiễm nội suy',
    'Period': 'Thời kỳ',
    'Who is exposed': 'Ai bị phơi nhiễm',
    'leave-one-out error': 'sai số kiểm định chéo bỏ-một',
    'No surface yet: build one with langnghe surface': 'Chưa có bề mặt nào: hãy tạo bằng lệnh langnghe surface',
    'zones on': 'vùng ô nhiễm ngày',
    'villages': 'làng nghề',
    'schools': 'trường học',
    'clinics': 'cơ sở y tế',
    'people inside': 'người ở bên trong',
    'Percentile': 'Bách phân vị',
    'Population': 'Dân số',
    'No commune boundaries with population loaded': 'Chưa nạp ranh giới xã có dân số',
    'No pollution zones yet': 'Chưa có vùng ô nhiễm nào',
    'Surface water class': 'Phân loại chất lượng nước mặt',
    'limited by': 'bị giới hạn bởi',
    'Health limit exceeded': 'Vượt giới hạn bảo vệ sức khỏe',
    'Latest QCVN 05 exceedances': 'Các lần vượt QCVN 05 gần nhất',
    'Wrong user name or password': 'Sai tên đăng nhập hoặc mật khẩu',
    'Sign in with a planner account to run siting, relocation and Decree 32 checks': 'Đăng nhập bằng tài khoản quy hoạch để chọn địa điểm, tính phương án di dời và kiểm tra theo Nghị định 32',
    'Sign out': 'Đăng xuất',
    'Sign in': 'Đăng nhập',
    'User name': 'Tên đăng nhập',
    'Password': 'Mật khẩu',
    'Accounts are made by an administrator with: langnghe users add': 'Tài khoản do quản trị viên tạo bằng lệnh: langnghe users add',
}


def main() -> None:
    with open("/tmp/messages.pot", "rb") as fh:
        catalog = read_po(fh, locale="vi")
    missing = [m.id for m in catalog if m.id and m.id not in VI]
    if missing:
        raise SystemExit(f"untranslated: {missing}")
    catalog.fuzzy = False
    for message in catalog:
        if message.id:
            message.string = VI[message.id]
            message.flags.discard("fuzzy")
    out = Path("webmap/translations/vi/LC_MESSAGES/messages.po")
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as fh:
        write_po(fh, catalog, omit_header=False, width=120)


if __name__ == "__main__":
    main()
